//! The one definition of every AWS resource the system uses. Local provisioning
//! ([`crate::provision`]) creates exactly these, and `infra/template.yaml` is checked against them.

/// Which table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Records,
    Jobs,
    Audit,
    Control,
    Templates,
    Schedules,
}

/// A key attribute; every key in this system is a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub partition: &'static str,
    pub sort: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexSpec {
    pub name: &'static str,
    pub key: Key,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSpec {
    pub table: Table,
    /// The resource's logical id in `infra/template.yaml`.
    pub logical_id: &'static str,
    pub key: Key,
    /// Global secondary indexes, all projecting every attribute.
    pub indexes: &'static [IndexSpec],
    /// Attribute holding an epoch-seconds expiry, if the table expires items.
    pub ttl_attribute: Option<&'static str>,
}

/// GSI names the adapters query by.
pub mod index {
    pub const JOBS_BY_USER: &str = "by_user";
    pub const JOBS_IN_FLIGHT: &str = "in_flight";
    pub const AUDIT_BY_PATIENT: &str = "by_patient";
    pub const AUDIT_BY_ACTOR: &str = "by_actor";
    pub const TEMPLATES_BY_OWNER: &str = "by_owner";
    pub const SCHEDULES_BY_USER: &str = "by_user";
    pub const SCHEDULES_DUE: &str = "due";
}

const PK_SK: Key = Key {
    partition: "pk",
    sort: Some("sk"),
};

pub const TABLES: &[TableSpec] = &[
    // Clinical records, single-table: see docs/records.md.
    TableSpec {
        table: Table::Records,
        logical_id: "RecordsTable",
        key: PK_SK,
        indexes: &[],
        ttl_attribute: None,
    },
    TableSpec {
        table: Table::Jobs,
        logical_id: "JobsTable",
        key: Key {
            partition: "job_id",
            sort: None,
        },
        indexes: &[
            IndexSpec {
                name: index::JOBS_BY_USER,
                key: Key {
                    partition: "user_id",
                    sort: Some("created_at"),
                },
            },
            // Sparse: only in-flight jobs carry `in_flight` (a shard) and `sweep_at`; the
            // sweeper reads the overdue ones (jobs_store.rs).
            IndexSpec {
                name: index::JOBS_IN_FLIGHT,
                key: Key {
                    partition: "in_flight",
                    sort: Some("sweep_at"),
                },
            },
        ],
        ttl_attribute: Some("ttl"),
    },
    // Append-only; partitioned by day so a time-range export is a few queries.
    TableSpec {
        table: Table::Audit,
        logical_id: "AuditTable",
        key: Key {
            partition: "day",
            sort: Some("event_key"),
        },
        indexes: &[
            IndexSpec {
                name: index::AUDIT_BY_PATIENT,
                key: Key {
                    partition: "patient_id",
                    sort: Some("event_key"),
                },
            },
            IndexSpec {
                name: index::AUDIT_BY_ACTOR,
                key: Key {
                    partition: "actor_id",
                    sort: Some("event_key"),
                },
            },
        ],
        ttl_attribute: None,
    },
    // Rate-limit counters and idempotency keys; both expire.
    TableSpec {
        table: Table::Control,
        logical_id: "ControlTable",
        key: Key {
            partition: "pk",
            sort: None,
        },
        indexes: &[],
        ttl_attribute: Some("ttl"),
    },
    TableSpec {
        table: Table::Templates,
        logical_id: "TemplatesTable",
        key: Key {
            partition: "template_id",
            sort: None,
        },
        indexes: &[IndexSpec {
            name: index::TEMPLATES_BY_OWNER,
            key: Key {
                partition: "owner_id",
                sort: Some("created_at"),
            },
        }],
        ttl_attribute: None,
    },
    TableSpec {
        table: Table::Schedules,
        logical_id: "SchedulesTable",
        key: Key {
            partition: "schedule_id",
            sort: None,
        },
        indexes: &[
            IndexSpec {
                name: index::SCHEDULES_BY_USER,
                key: Key {
                    partition: "user_id",
                    sort: Some("created_at"),
                },
            },
            // Sparse: only active schedules carry `due_shard`. Sorted by `due_at`, when the
            // scheduler should next look at a schedule (its next run, or a retry sooner).
            IndexSpec {
                name: index::SCHEDULES_DUE,
                key: Key {
                    partition: "due_shard",
                    sort: Some("due_at"),
                },
            },
        ],
        ttl_attribute: None,
    },
];

/// The renderer's timeout; the queue's visibility timeout is six times it, as AWS advises for
/// SQS-triggered functions.
pub const RENDERER_TIMEOUT_SECONDS: u32 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSpec {
    pub logical_id: &'static str,
    pub visibility_timeout_seconds: u32,
    pub message_retention_seconds: u32,
    /// Receives after which a message moves to the dead-letter queue.
    pub max_receive_count: u32,
    pub dlq_logical_id: &'static str,
    pub dlq_retention_seconds: u32,
}

pub const JOBS_QUEUE: QueueSpec = QueueSpec {
    logical_id: "JobsQueue",
    visibility_timeout_seconds: 6 * RENDERER_TIMEOUT_SECONDS,
    message_retention_seconds: 4 * 24 * 3600,
    max_receive_count: 5,
    dlq_logical_id: "JobsDeadLetterQueue",
    dlq_retention_seconds: 14 * 24 * 3600,
};

/// The scheduled-run function's timeout: one run renders one export (the renderer's budget) and
/// sends one email.
pub const SCHEDULED_RUN_TIMEOUT_SECONDS: u32 = 120;

/// Scheduled runs the tick claimed. A message whose worker died reappears after the visibility
/// timeout; by then the run's lease (RUN_LEASE_SECONDS) has lapsed and a later tick has claimed
/// it again, so the old message is stale and skipped. Redelivery is for a worker that could not
/// even read the schedule.
pub const RUNS_QUEUE: QueueSpec = QueueSpec {
    logical_id: "ScheduledRunsQueue",
    visibility_timeout_seconds: 6 * SCHEDULED_RUN_TIMEOUT_SECONDS,
    message_retention_seconds: 4 * 24 * 3600,
    max_receive_count: 3,
    dlq_logical_id: "ScheduledRunsDeadLetterQueue",
    dlq_retention_seconds: 14 * 24 * 3600,
};

/// Every queue, with the names of its queue and dead-letter queue.
pub fn queues(names: &crate::config::ResourceNames) -> [(QueueSpec, &str, &str); 2] {
    [
        (JOBS_QUEUE, &names.jobs_queue, &names.jobs_dlq),
        (RUNS_QUEUE, &names.runs_queue, &names.runs_dlq),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketSpec {
    pub logical_id: &'static str,
    /// Objects under this prefix are exports and expire.
    pub exports_prefix: &'static str,
    pub expire_after_days: i32,
    pub abort_incomplete_uploads_after_days: i32,
    /// The bucket's one CORS rule, for the web app's origins (`WEB_APP_ORIGIN`): a page may
    /// `fetch()` a presigned download URL and read the file's name.
    pub cors: BucketCors,
}

/// A CORS rule of a bucket, origins aside (they are configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketCors {
    pub allowed_methods: &'static [&'static str],
    /// Response headers a page's script may read.
    pub exposed_headers: &'static [&'static str],
    pub max_age_seconds: i32,
}

pub const EXPORTS_BUCKET: BucketSpec = BucketSpec {
    logical_id: "ExportsBucket",
    exports_prefix: "exports/",
    expire_after_days: 7,
    abort_incomplete_uploads_after_days: 1,
    cors: BucketCors {
        // Downloads only: presigned URLs are GETs; HEAD lets a page check size and type first.
        allowed_methods: &["GET", "HEAD"],
        exposed_headers: &[
            "Content-Disposition",
            "Content-Length",
            "Content-Type",
            "ETag",
        ],
        max_age_seconds: 600,
    },
};

pub fn table_spec(table: Table) -> &'static TableSpec {
    TABLES
        .iter()
        .find(|t| t.table == table)
        .expect("every table has a spec")
}

impl Table {
    pub fn name(self, names: &crate::config::ResourceNames) -> &str {
        match self {
            Table::Records => &names.records_table,
            Table::Jobs => &names.jobs_table,
            Table::Audit => &names.audit_table,
            Table::Control => &names.control_table,
            Table::Templates => &names.templates_table,
            Table::Schedules => &names.schedules_table,
        }
    }
}
