//! The catalog of a lake as discovery last saw it: buckets, zones, folders and tables in one
//! arena of nodes, and what each table is made of.
//!
//! Plain data, rebuilt as a fresh snapshot each time discovery reports, so the UI can hold an
//! `Arc<Catalog>` and never lock. Nothing here does I/O.

use serde::Serialize;

use crate::lake::discover::partition::PartitionColumn;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct NodeId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    Bucket,
    Zone,
    Folder,
    Table,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Bucket => "bucket",
            NodeKind::Zone => "zone",
            NodeKind::Folder => "folder",
            NodeKind::Table => "table",
        }
    }
}

/// What a table is. Iceberg, Hudi, Avro and ORC are detected and labelled; lakescope reads the
/// others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TableFormat {
    Delta,
    Parquet,
    Csv,
    Json,
    NdJson,
    Iceberg,
    Hudi,
    Avro,
    Orc,
    /// A dataset folder whose data files have not been seen (yet, or ever).
    Unknown,
}

impl TableFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            TableFormat::Delta => "delta",
            TableFormat::Parquet => "parquet",
            TableFormat::Csv => "csv",
            TableFormat::Json => "json",
            TableFormat::NdJson => "ndjson",
            TableFormat::Iceberg => "iceberg",
            TableFormat::Hudi => "hudi",
            TableFormat::Avro => "avro",
            TableFormat::Orc => "orc",
            TableFormat::Unknown => "unknown",
        }
    }

    /// Formats whose schema and rows lakescope can read today.
    pub fn is_readable(self) -> bool {
        matches!(
            self,
            TableFormat::Delta | TableFormat::Parquet | TableFormat::Csv | TableFormat::Json | TableFormat::NdJson
        )
    }
}

/// What the Delta log looks like from its listing alone (no commit read yet).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeltaLogListing {
    pub commits: u64,
    pub latest_version: Option<u64>,
    pub checkpoints: u64,
    pub log_bytes: u64,
    pub cdc_files: u64,
    pub deletion_vectors: u64,
}

/// One object of a table's listing (kept only when discovery is asked to: `keep_files`).
#[derive(Debug, Clone, PartialEq)]
pub struct ListedObject {
    /// Path relative to the table root.
    pub rel: String,
    pub size: u64,
    pub modified_ms: i64,
}

/// One table found by discovery, with the aggregates of its listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableEntry {
    pub name: String,
    pub format: TableFormat,
    pub bucket: String,
    pub zone: Option<String>,
    /// Full URL of the table root (a folder), or of the file for a single-file table.
    pub location: String,
    /// Key of the table root relative to the lake root ("" when the root itself is the table).
    pub path: String,
    /// For tables made of some files of a folder (`customers_*.csv`): the glob they match.
    pub file_glob: Option<String>,
    /// Data files and their bytes, as listed (for Delta this includes files no longer in the
    /// current version but not vacuumed yet).
    pub files: u64,
    pub bytes: u64,
    /// Everything else under the table: logs, checkpoints, markers, checksums.
    pub meta_files: u64,
    pub meta_bytes: u64,
    pub partitions: Vec<PartitionColumn>,
    /// Distinct partition folders holding data.
    pub partition_dirs: u64,
    /// Levels of bare date/number folders (`2024/11/21`) that do not follow `key=value`.
    pub unnamed_partition_levels: usize,
    /// Newest modification time among the table's objects, in ms since the epoch.
    pub last_modified_ms: Option<i64>,
    /// A data file (key relative to the lake root) to read a schema from.
    pub sample_file: Option<String>,
    pub sample_file_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_log: Option<DeltaLogListing>,
    /// False while the table's listing is still running.
    pub listing_complete: bool,
    /// Problems found from the listing alone (listing errors, files too small to be Parquet…).
    pub issues: Vec<String>,
    /// Every object of the table's flat listing, when discovery kept them (`keep_files`) and the
    /// listing completed: the diagnostics read it instead of listing the table again.
    #[serde(skip)]
    pub listing: Option<std::sync::Arc<Vec<ListedObject>>>,
}

impl TableEntry {
    /// A table with nothing listed yet: no files, partitions or issues.
    pub fn new(name: &str, format: TableFormat, bucket: &str, location: &str, path: &str) -> Self {
        TableEntry {
            name: name.into(),
            format,
            bucket: bucket.into(),
            zone: None,
            location: location.into(),
            path: path.into(),
            file_glob: None,
            files: 0,
            bytes: 0,
            meta_files: 0,
            meta_bytes: 0,
            partitions: Vec::new(),
            partition_dirs: 0,
            unnamed_partition_levels: 0,
            last_modified_ms: None,
            sample_file: None,
            sample_file_bytes: None,
            delta_log: None,
            listing_complete: true,
            issues: Vec::new(),
            listing: None,
        }
    }
}

/// One entry of the catalog tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: NodeId,
    pub parent: Option<NodeId>,
    pub name: String,
    pub kind: NodeKind,
    /// Key prefix relative to the lake root, no trailing slash ("" is the root itself).
    pub path: String,
    pub children: Vec<NodeId>,
    pub table: Option<Box<TableEntry>>,
    /// Tables anywhere below this node, and their data files / bytes.
    pub tables_below: u64,
    pub files_below: u64,
    pub bytes_below: u64,
    /// Objects in this folder that are not table data (README, LICENSE…).
    pub other_files: u64,
    /// Why this node could not be (fully) read.
    pub error: Option<String>,
    /// Still being listed.
    pub pending: bool,
    /// Not explored: below the configured depth limit.
    pub depth_limited: bool,
}

impl Node {
    pub fn is_table(&self) -> bool {
        self.kind == NodeKind::Table
    }

    /// An entry worth a warning badge: its own error, or issues found in its table listing.
    pub fn has_problem(&self) -> bool {
        self.error.is_some() || self.table.as_ref().is_some_and(|t| !t.issues.is_empty())
    }
}

/// Running totals of a discovery, shown while it streams.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DiscoveryProgress {
    pub objects: u64,
    pub bytes: u64,
    pub folders_listed: u64,
    pub list_requests: u64,
    pub pending: u64,
    pub errors: u64,
    pub complete: bool,
    pub elapsed_ms: u64,
}

/// A snapshot of everything discovered so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    /// Display form of the lake root (never carries credentials).
    pub root_url: String,
    pub root_name: String,
    pub nodes: Vec<Node>,
    pub buckets: Vec<NodeId>,
    pub progress: DiscoveryProgress,
}

impl Catalog {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    pub fn get(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id.0 as usize)
    }

    /// Children of a node, or the buckets for `None` (the lake root).
    pub fn children(&self, parent: Option<NodeId>) -> &[NodeId] {
        match parent {
            None => &self.buckets,
            Some(id) => self.get(id).map(|n| n.children.as_slice()).unwrap_or(&[]),
        }
    }

    /// Walk a path of display names from the root (`["acme-lake", "silver", "orders"]`).
    pub fn find_by_names<S: AsRef<str>>(&self, names: &[S]) -> Option<NodeId> {
        let mut parent = None;
        let mut found = None;
        for name in names {
            let id = self.children(parent).iter().copied().find(|c| self.node(*c).name == name.as_ref())?;
            found = Some(id);
            parent = Some(id);
        }
        found
    }

    /// Like `find_by_names`, but in a lake that is one bucket the bucket's name may be left out
    /// (`silver/orders` as well as `acme-lake/silver/orders`).
    pub fn resolve<S: AsRef<str>>(&self, names: &[S]) -> Option<NodeId> {
        self.find_by_names(names).or_else(|| match self.buckets.as_slice() {
            [only] => {
                let mut full: Vec<&str> = vec![self.node(*only).name.as_str()];
                full.extend(names.iter().map(|n| n.as_ref()));
                self.find_by_names(&full)
            }
            _ => None,
        })
    }

    /// Display names from the bucket down to `id`.
    pub fn names_to(&self, id: NodeId) -> Vec<String> {
        let mut names = Vec::new();
        let mut cur = Some(id);
        while let Some(c) = cur {
            let n = self.node(c);
            names.push(n.name.clone());
            cur = n.parent;
        }
        names.reverse();
        names
    }

    /// Every table, in tree order.
    pub fn tables(&self) -> impl Iterator<Item = (&Node, &TableEntry)> {
        let mut order = Vec::new();
        let mut stack: Vec<NodeId> = self.buckets.iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            order.push(id);
            stack.extend(self.node(id).children.iter().rev().copied());
        }
        order.into_iter().filter_map(move |id| {
            let n = self.node(id);
            n.table.as_deref().map(|t| (n, t))
        })
    }

    /// Every table at or below `id` (`None`: the whole lake), named by its path of display names
    /// (`acme-lake/silver/orders`), in tree order.
    pub fn tables_below(&self, id: Option<NodeId>) -> Vec<(String, TableEntry)> {
        let below = |mut cur: Option<NodeId>| {
            while let Some(c) = cur {
                if Some(c) == id {
                    return true;
                }
                cur = self.node(c).parent;
            }
            id.is_none()
        };
        self.tables()
            .filter(|(n, _)| below(Some(n.id)))
            .map(|(n, t)| (self.names_to(n.id).join("/"), t.clone()))
            .collect()
    }

    pub fn table_count(&self) -> u64 {
        self.buckets.iter().map(|b| self.node(*b).tables_below).sum()
    }
}
