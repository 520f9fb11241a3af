//! compact: Delta compaction of a table of N small files (default 2,000 files of 512 KiB, about
//! 1 GiB, written with the parquet crate, incompressible columns, made a Delta table v0 by
//! `lakescope convert`) into 128 MiB files. Each run copies the table twice; `lakescope compact
//! --yes` compacts one copy, Python's `deltalake` package (PyPI) `DeltaTable.optimize.compact()`
//! the other, each as its own process, one after the other. Reported per tool: the median wall
//! time and the peak resident memory (the child's `ru_maxrss`, read by a tiny Python harness
//! that runs exactly one child), and the files each wrote. Both use the machine's cores.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

const HARNESS: &str = "import resource,subprocess,sys,time\nt=time.time()\nr=subprocess.run(sys.argv[1:],stdout=subprocess.PIPE,stderr=subprocess.PIPE)\nw=time.time()-t\nm=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\nsys.stderr.write(r.stderr.decode()[-2000:])\nprint(r.returncode, w, m)\nsys.stdout.write(r.stdout.decode())\n";

const PY_COMPACT: &str = "import sys\nfrom deltalake import DeltaTable\nm=DeltaTable(sys.argv[1]).optimize.compact(target_size=128*1024*1024)\nprint(m['numFilesAdded'], m['numFilesRemoved'])\n";

/// A deterministic generator (xorshift) so every run writes the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn write_source(dir: &Path, files: usize, file_kib: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("value", DataType::Int64, false),
        Field::new("payload", DataType::Utf8, false),
    ]));
    // ~40 bytes a row (8 + 8 + 24 hex characters), no compression: sizes hold.
    let rows = file_kib * 1024 / 40;
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut id = 0i64;
    for f in 0..files {
        let ids: Vec<i64> = (0..rows).map(|i| id + i as i64).collect();
        id += rows as i64;
        let values: Vec<i64> = (0..rows).map(|_| rng.next() as i64).collect();
        let payload: Vec<String> = (0..rows).map(|_| format!("{:024x}", rng.next() as u128 * 7919)).collect();
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(ids)) as ArrayRef,
                Arc::new(Int64Array::from(values)) as ArrayRef,
                Arc::new(StringArray::from(payload)) as ArrayRef,
            ],
        )
        .unwrap();
        let file = std::fs::File::create(dir.join(format!("part-{f:05}.parquet"))).unwrap();
        let props = WriterProperties::builder()
            .set_compression(Compression::UNCOMPRESSED)
            .set_dictionary_enabled(false)
            .build();
        let mut w = ArrowWriter::try_new(file, schema.clone(), Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    let ok = Command::new("cp").arg("-r").arg(from).arg(to).status().map(|s| s.success()).unwrap_or(false);
    assert!(ok, "cp -r {} {}", from.display(), to.display());
}

/// Run `cmd` under the harness: (exit code, wall seconds, peak RSS KiB, stdout after the
/// harness line).
fn measure(cmd: &[&str]) -> (i32, f64, u64, String) {
    let out = Command::new("python3").arg("-c").arg(HARNESS).args(cmd).output().expect("python3 runs the harness");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut lines = text.lines();
    let head: Vec<String> = lines.next().unwrap_or_default().split_whitespace().map(str::to_string).collect();
    let rest: Vec<&str> = lines.collect();
    if head.len() < 3 {
        panic!("harness output: {text}\n{}", String::from_utf8_lossy(&out.stderr));
    }
    let code: i32 = head[0].parse().unwrap_or(-1);
    if code != 0 {
        eprintln!("{cmd:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    (code, head[1].parse().unwrap_or(0.0), head[2].parse().unwrap_or(0), rest.join("\n"))
}

fn mid(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn data_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|r| r.flatten().filter(|e| e.file_name().to_string_lossy().ends_with(".parquet")).count())
        .unwrap_or(0)
}

pub fn bench_compact(dir: &Path, files: usize, file_kib: usize, runs: usize, python: Option<String>) {
    let exe = std::env::current_exe().unwrap();
    let lakescope = exe.with_file_name("lakescope");
    assert!(lakescope.exists(), "build the lakescope binary with the same profile: {}", lakescope.display());
    let python = python.map(PathBuf::from).unwrap_or_else(|| {
        let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tmp/bench-venv/bin/python");
        if venv.exists() { venv } else { PathBuf::from("python3") }
    });
    let has_deltalake =
        Command::new(&python).args(["-c", "import deltalake"]).status().map(|s| s.success()).unwrap_or(false);
    let source = dir.join("source");
    if data_files(&source) != files {
        let _ = std::fs::remove_dir_all(&source);
        eprintln!("writing {files} files of {file_kib} KiB to {} …", source.display());
        write_source(&source, files, file_kib);
        let st = Command::new(&lakescope)
            .args(["convert", source.to_str().unwrap(), "--yes"])
            .env("LAKESCOPE_CONFIG", "")
            .status()
            .unwrap();
        assert!(st.success(), "lakescope convert");
    }
    let bytes: u64 = std::fs::read_dir(&source)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".parquet"))
        .map(|e| e.metadata().unwrap().len())
        .sum();
    println!(
        "compact: Delta table of {files} files, {:.0} MiB, into 128 MiB files ({} runs, median)",
        bytes as f64 / 1048576.0,
        runs
    );
    let (mut ours_t, mut ours_m, mut peer_t, mut peer_m) = (vec![], vec![], vec![], vec![]);
    let (mut ours_files, mut peer_files) = (String::new(), String::new());
    for r in 0..runs {
        let a = dir.join("a");
        copy_dir(&source, &a);
        let (code, wall, rss, out) = measure(&[
            lakescope.to_str().unwrap(),
            "compact",
            a.to_str().unwrap(),
            "--target-size",
            "128MiB",
            "--yes",
            "--json",
        ]);
        assert_eq!(code, 0, "lakescope compact");
        let j: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        ours_files = format!("{} → {}", j["outcome"]["delta"]["files_removed"], j["outcome"]["delta"]["files_added"]);
        ours_t.push(wall);
        ours_m.push(rss as f64 / 1024.0);
        if has_deltalake {
            let b = dir.join("b");
            copy_dir(&source, &b);
            let (code, wall, rss, out) = measure(&[python.to_str().unwrap(), "-c", PY_COMPACT, b.to_str().unwrap()]);
            assert_eq!(code, 0, "python deltalake optimize");
            let mut it = out.split_whitespace();
            let (added, removed) = (it.next().unwrap_or("?").to_string(), it.next().unwrap_or("?").to_string());
            peer_files = format!("{removed} → {added}");
            peer_t.push(wall);
            peer_m.push(rss as f64 / 1024.0);
        }
        eprintln!("run {}: lakescope {:.1} s / {:.0} MiB", r + 1, ours_t[r], ours_m[r]);
    }
    println!(
        "  lakescope compact         {:>8}  peak RSS {:>6.0} MiB  files {ours_files}",
        format!("{:.1} s", mid(&mut ours_t)),
        mid(&mut ours_m)
    );
    if has_deltalake {
        let v = Command::new(&python)
            .args(["-c", "import deltalake; print(deltalake.__version__)"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        println!(
            "  python deltalake {v:<8} {:>8}  peak RSS {:>6.0} MiB  files {peer_files}",
            format!("{:.1} s", mid(&mut peer_t)),
            mid(&mut peer_m)
        );
    } else {
        println!(
            "  python deltalake: not installed for {} (python3 -m venv target/tmp/bench-venv && target/tmp/bench-venv/bin/pip install deltalake)",
            python.display()
        );
    }
}
