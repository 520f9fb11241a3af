//! What an installed CLI comes with: shell completion scripts (clap_complete) and man pages
//! (clap_mangen), both generated from the same clap definitions as `--help`, so they never
//! disagree with the binary. Neither reads the config or the lake.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "lakescope", &mut out);
    out
}

/// lakescope(1): the top-level page, with every command's summary.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    Ok(out)
}

/// Print `text` to stdout; a reader that went away (`| head`) is not an error.
pub fn print(text: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

/// Write lakescope.1 and lakescope-COMMAND.1 for every command into `dir` (created if missing);
/// returns the files written.
pub fn man_pages(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let cmd = Cli::command();
    let mut written = Vec::new();
    let mut write = |name: &str, page: clap::Command| -> std::io::Result<()> {
        let path = dir.join(format!("{name}.1"));
        let mut file = std::fs::File::create(&path)?;
        clap_mangen::Man::new(page).render(&mut file)?;
        written.push(path);
        Ok(())
    };
    write("lakescope", cmd.clone())?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("lakescope-{}", sub.get_name());
        write(&name, sub.clone().name(name.clone()))?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_name_every_command() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let text = String::from_utf8(completions(shell)).unwrap();
            for sub in ["demo", "sql", "diag", "compact", "vacuum", "completions", "man"] {
                assert!(text.contains(sub), "{shell:?} completes {sub}");
            }
            assert!(text.contains("endpoint"), "{shell:?} completes global options");
        }
    }

    #[test]
    fn the_man_page_has_its_sections_and_every_command() {
        let page = String::from_utf8(man_page().unwrap()).unwrap();
        assert!(page.starts_with(".ie") || page.contains(".TH lakescope"), "{}", &page[..200.min(page.len())]);
        for section in [".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
            assert!(page.contains(section), "{section}");
        }
        assert!(page.contains("lakescope\\-compact") || page.contains("lakescope-compact"));
    }

    #[test]
    fn one_page_per_command_is_written_into_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let files = man_pages(&dir.path().join("man1")).unwrap();
        let names: Vec<String> = files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert!(names.contains(&"lakescope.1".to_string()));
        assert!(names.contains(&"lakescope-sql.1".to_string()));
        assert!(!names.iter().any(|n| n == "lakescope-help.1"));
        let sql = std::fs::read_to_string(dir.path().join("man1/lakescope-sql.1")).unwrap();
        assert!(sql.contains(".TH lakescope\\-sql") || sql.contains(".TH lakescope-sql"), "{}", &sql[..200]);
    }
}
