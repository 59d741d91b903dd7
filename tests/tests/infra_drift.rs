//! `infra/template.yaml` against the one definition of every resource
//! (`exports_aws::resources`) and the routes the API serves (`exports_api::ROUTES`): the tables,
//! queues and bucket SAM deploys are those local provisioning creates, and each function's IAM
//! role grants what the issue allows. No emulator needed: this reads files only.
//!
//! The template writes intrinsic functions in their long form (`Ref`, `Fn::GetAtt`, `Fn::Sub`),
//! so it is plain YAML.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use exports_aws::metrics::{self, Function, NAMESPACE};
use exports_aws::resources::{
    EXPORTS_BUCKET, JOBS_QUEUE, Key, RENDERER_TIMEOUT_SECONDS, RUNS_QUEUE,
    SCHEDULED_RUN_TIMEOUT_SECONDS, TABLES, Table, table_spec,
};
use serde_json::{Value, json};

fn repo_root() -> PathBuf {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo test"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_path_buf()
}

fn template_text() -> String {
    let path = repo_root().join("infra/template.yaml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn template() -> Value {
    serde_yaml_ng::from_str(&template_text()).expect("infra/template.yaml is plain YAML")
}

fn resource<'a>(t: &'a Value, logical_id: &str) -> &'a Value {
    t["Resources"]
        .get(logical_id)
        .unwrap_or_else(|| panic!("the template has no resource {logical_id}"))
}

fn resources_of_type<'a>(t: &'a Value, kind: &str) -> BTreeMap<&'a str, &'a Value> {
    t["Resources"]
        .as_object()
        .expect("Resources")
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(id, r)| (id.as_str(), r))
        .collect()
}

fn get_att(logical_id: &str, attribute: &str) -> Value {
    json!({ "Fn::GetAtt": [logical_id, attribute] })
}

fn reference(logical_id: &str) -> Value {
    json!({ "Ref": logical_id })
}

/// A number written as a YAML number or a string.
fn number(v: &Value) -> u64 {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("not a number: {v}"))
}

/// A value that may be one string or a list of them (IAM `Action`).
fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().expect("a string").to_string())
            .collect(),
        other => panic!("expected a string or a list of strings: {other}"),
    }
}

/// A value that may be one item or a list of them (IAM `Resource`).
fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// `[(attribute, HASH), (attribute, RANGE)]` of a key.
fn expected_key(key: &Key) -> Vec<(String, String)> {
    std::iter::once((key.partition.to_string(), "HASH".to_string()))
        .chain(key.sort.map(|s| (s.to_string(), "RANGE".to_string())))
        .collect()
}

fn key_schema(v: &Value) -> Vec<(String, String)> {
    let mut key: Vec<(String, String)> = v
        .as_array()
        .expect("KeySchema is a list")
        .iter()
        .map(|k| {
            (
                k["AttributeName"].as_str().expect("AttributeName").into(),
                k["KeyType"].as_str().expect("KeyType").into(),
            )
        })
        .collect();
    key.sort_by_key(|(_, kind)| kind != "HASH");
    key
}

#[test]
fn the_template_is_plain_yaml_with_long_form_intrinsics() {
    for (n, line) in template_text().lines().enumerate() {
        let code = line.split(" #").next().unwrap_or_default();
        if code.trim_start().starts_with('#') {
            continue;
        }
        let short_form = code
            .match_indices('!')
            .any(|(i, _)| code[i + 1..].starts_with(|c: char| c.is_ascii_uppercase()));
        assert!(
            !short_form,
            "line {}: use the long form of intrinsic functions (Ref, Fn::GetAtt, Fn::Sub, …): {line}",
            n + 1
        );
    }
    let t = template();
    assert_eq!(t["Transform"], "AWS::Serverless-2016-10-31");
}

#[test]
fn every_table_is_deployed_as_resources_defines_it() {
    let t = template();
    for spec in TABLES {
        let id = spec.logical_id;
        let table = resource(&t, id);
        assert_eq!(table["Type"], "AWS::DynamoDB::Table", "{id}");
        let p = &table["Properties"];

        assert_eq!(
            key_schema(&p["KeySchema"]),
            expected_key(&spec.key),
            "{id} key"
        );

        let indexes: BTreeMap<String, Vec<(String, String)>> = p
            .get("GlobalSecondaryIndexes")
            .and_then(Value::as_array)
            .map(|gsis| {
                gsis.iter()
                    .map(|g| {
                        assert_eq!(
                            g["Projection"]["ProjectionType"], "ALL",
                            "{id}: every index projects every attribute"
                        );
                        (
                            g["IndexName"].as_str().expect("IndexName").to_string(),
                            key_schema(&g["KeySchema"]),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let expected: BTreeMap<String, Vec<(String, String)>> = spec
            .indexes
            .iter()
            .map(|ix| (ix.name.to_string(), expected_key(&ix.key)))
            .collect();
        assert_eq!(indexes, expected, "{id} indexes");

        // Exactly the key attributes of the table and its indexes, all strings.
        let attributes: BTreeMap<String, String> = p["AttributeDefinitions"]
            .as_array()
            .expect("AttributeDefinitions")
            .iter()
            .map(|a| {
                (
                    a["AttributeName"].as_str().expect("AttributeName").into(),
                    a["AttributeType"].as_str().expect("AttributeType").into(),
                )
            })
            .collect();
        let expected: BTreeMap<String, String> = std::iter::once(&spec.key)
            .chain(spec.indexes.iter().map(|ix| &ix.key))
            .flat_map(|k| std::iter::once(k.partition).chain(k.sort))
            .map(|a| (a.to_string(), "S".to_string()))
            .collect();
        assert_eq!(attributes, expected, "{id} attribute definitions");

        match spec.ttl_attribute {
            Some(attribute) => {
                assert_eq!(
                    p["TimeToLiveSpecification"],
                    json!({"AttributeName": attribute, "Enabled": true}),
                    "{id} TTL"
                );
            }
            None => assert!(
                p.get("TimeToLiveSpecification").is_none(),
                "{id} expires nothing"
            ),
        }
        assert_eq!(p["BillingMode"], "PAY_PER_REQUEST", "{id} is on demand");
        assert_eq!(
            p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], true,
            "{id} has point-in-time recovery"
        );
        assert_eq!(
            p["SSESpecification"],
            json!({"SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": get_att(TABLES_KEY, "Arn")}),
            "{id}: encrypted under the customer-managed tables key"
        );
    }

    let deployed: BTreeSet<&str> = resources_of_type(&t, "AWS::DynamoDB::Table")
        .into_keys()
        .collect();
    let defined: BTreeSet<&str> = TABLES.iter().map(|s| s.logical_id).collect();
    assert_eq!(
        deployed, defined,
        "the template's tables are resources::TABLES"
    );
}

/// The customer-managed key every table is encrypted under.
const TABLES_KEY: &str = "TablesKey";

#[test]
fn the_tables_key_is_a_rotated_customer_managed_key_usable_only_through_dynamodb() {
    let t = template();
    let key = resource(&t, TABLES_KEY);
    assert_eq!(key["Type"], "AWS::KMS::Key");
    assert_eq!(key["Properties"]["EnableKeyRotation"], true);
    assert_eq!(
        key["DeletionPolicy"], "Retain",
        "the retained tables need it"
    );
    assert_ne!(
        get_att(TABLES_KEY, "Arn"),
        resource(&t, EXPORTS_BUCKET.logical_id)["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            [0]["ServerSideEncryptionByDefault"]["KMSMasterKeyID"],
        "not the exports key"
    );
    // Only the account (through IAM) and DynamoDB's read-only look-ups are in the key policy.
    for s in key["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .expect("key policy statements")
    {
        let principal = &s["Principal"];
        if principal.get("Service").is_some() {
            assert_eq!(principal["Service"], "dynamodb.amazonaws.com");
            for a in strings(&s["Action"]) {
                assert!(
                    ["kms:Describe*", "kms:Get*", "kms:List*"].contains(&a.as_str()),
                    "DynamoDB may only look the key up, not {a}"
                );
            }
        } else {
            assert_eq!(
                principal["AWS"],
                json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}),
                "the key policy delegates to IAM in the account"
            );
        }
    }

    // Every function touches the tables, so every role may kms:Decrypt with the key (what
    // DynamoDB asks KMS on the caller's behalf), through DynamoDB only, and nothing else.
    let mut decrypting: BTreeSet<String> = BTreeSet::new();
    for (role, s) in function_statements(&t) {
        if !items(&s["Resource"])
            .iter()
            .any(|r| mentions(r, TABLES_KEY))
        {
            continue;
        }
        assert_eq!(strings(&s["Action"]), ["kms:Decrypt"], "{role}");
        assert_eq!(
            items(&s["Resource"]),
            [&get_att(TABLES_KEY, "Arn")],
            "{role}: the tables key alone"
        );
        assert_eq!(
            s["Condition"],
            json!({"StringEquals": {"kms:ViaService": {"Fn::Sub": "dynamodb.${AWS::Region}.amazonaws.com"}}}),
            "{role}: through DynamoDB only"
        );
        decrypting.insert(role);
    }
    let roles: BTreeSet<String> = FUNCTIONS
        .iter()
        .map(|(id, ..)| format!("{id}Role"))
        .collect();
    assert_eq!(decrypting, roles, "every function reads or writes a table");
}

#[test]
fn every_queue_and_its_dead_letter_queue_are_deployed_as_resources_defines_them() {
    let t = template();
    for (spec, function_timeout) in [
        (JOBS_QUEUE, RENDERER_TIMEOUT_SECONDS),
        (RUNS_QUEUE, SCHEDULED_RUN_TIMEOUT_SECONDS),
    ] {
        let queue = resource(&t, spec.logical_id);
        assert_eq!(queue["Type"], "AWS::SQS::Queue");
        let q = &queue["Properties"];
        let id = spec.logical_id;
        assert_eq!(
            number(&q["VisibilityTimeout"]),
            u64::from(spec.visibility_timeout_seconds),
            "{id}"
        );
        assert!(
            number(&q["VisibilityTimeout"]) >= 6 * u64::from(function_timeout),
            "{id}: visibility timeout at least 6x its consumer's timeout"
        );
        assert_eq!(
            number(&q["MessageRetentionPeriod"]),
            u64::from(spec.message_retention_seconds),
            "{id}"
        );
        assert_eq!(
            number(&q["RedrivePolicy"]["maxReceiveCount"]),
            u64::from(spec.max_receive_count),
            "{id}"
        );
        assert_eq!(
            q["RedrivePolicy"]["deadLetterTargetArn"],
            get_att(spec.dlq_logical_id, "Arn"),
            "{id}"
        );

        let dlq = resource(&t, spec.dlq_logical_id);
        assert_eq!(dlq["Type"], "AWS::SQS::Queue");
        assert_eq!(
            number(&dlq["Properties"]["MessageRetentionPeriod"]),
            u64::from(spec.dlq_retention_seconds),
            "{id}"
        );

        for id in [spec.logical_id, spec.dlq_logical_id] {
            assert_queue_encrypted_with_the_sqs_key(&t, id);
        }
        assert!(
            alarm_on_queue_depth(&t, spec.dlq_logical_id),
            "an alarm watches {}",
            spec.dlq_logical_id
        );
    }

    // The renderer marks a job failed on the receive the queue moves it to the DLQ after.
    let env = &t["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(
        number(&env["MAX_RECEIVE_COUNT"]),
        u64::from(JOBS_QUEUE.max_receive_count)
    );
}

#[test]
fn the_scheduler_takes_claimed_runs_from_their_queue_at_a_bounded_concurrency() {
    let t = template();
    let scheduler = &resource(&t, "SchedulerFunction")["Properties"];
    let runs = scheduler["Events"]
        .as_object()
        .expect("scheduler events")
        .values()
        .find(|e| e["Type"] == "SQS")
        .expect("an SQS event on the scheduler");
    let p = &runs["Properties"];
    assert_eq!(p["Queue"], get_att(RUNS_QUEUE.logical_id, "Arn"));
    assert_eq!(number(&p["BatchSize"]), 1, "one run per invocation");
    assert_eq!(p["FunctionResponseTypes"][0], "ReportBatchItemFailures");
    assert_eq!(
        p["ScalingConfig"]["MaximumConcurrency"],
        reference("ScheduledRunConcurrency"),
        "run concurrency (and so the SES send rate) is configuration"
    );
    // Room for the tick beside the runs.
    let params = &t["Parameters"];
    assert!(
        number(&params["SchedulerReservedConcurrency"]["Default"])
            > number(&params["ScheduledRunConcurrency"]["Default"])
    );
    let env = &t["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(
        env["SCHEDULED_RUNS_QUEUE"],
        get_att(RUNS_QUEUE.logical_id, "QueueName")
    );
    assert_eq!(
        env["SCHEDULED_RUNS_QUEUE_URL"],
        reference(RUNS_QUEUE.logical_id)
    );
    assert_eq!(
        env["SCHEDULED_RUNS_DLQ"],
        get_att(RUNS_QUEUE.dlq_logical_id, "QueueName")
    );
}

/// Encrypted at rest under SQS's AWS managed KMS key, whose key policy lets the account's
/// principals use it through SQS: no role needs a KMS permission for a queue.
fn assert_queue_encrypted_with_the_sqs_key(t: &Value, logical_id: &str) {
    let p = &resource(t, logical_id)["Properties"];
    assert_eq!(
        p["KmsMasterKeyId"], "alias/aws/sqs",
        "{logical_id}: SSE-KMS"
    );
    assert!(
        p.get("SqsManagedSseEnabled").is_none(),
        "{logical_id}: one kind of encryption"
    );
}

#[test]
fn the_renderer_is_triggered_by_the_jobs_queue_with_partial_batch_failures() {
    let t = template();
    let renderer = &resource(&t, "RendererFunction")["Properties"];
    assert_eq!(
        number(&renderer["Timeout"]),
        u64::from(RENDERER_TIMEOUT_SECONDS)
    );
    let sqs: Vec<&Value> = renderer["Events"]
        .as_object()
        .expect("renderer events")
        .values()
        .filter(|e| e["Type"] == "SQS")
        .collect();
    assert_eq!(sqs.len(), 1, "one SQS trigger");
    let e = &sqs[0]["Properties"];
    assert_eq!(e["Queue"], get_att(JOBS_QUEUE.logical_id, "Arn"));
    let batch = number(&e["BatchSize"]);
    assert!((1..=10).contains(&batch), "batch size {batch}");
    assert!(
        strings(&e["FunctionResponseTypes"]).contains(&"ReportBatchItemFailures".to_string()),
        "partial batch failures"
    );
}

#[test]
fn an_alarm_watches_the_dead_letter_queue() {
    let t = template();
    assert!(
        alarm_on_queue_depth(&t, JOBS_QUEUE.dlq_logical_id),
        "an alarm on the dead-letter queue's depth"
    );
}

#[test]
fn a_failed_scheduler_tick_lands_in_an_encrypted_queue_that_raises_an_alarm() {
    let t = template();
    let config = &resource(&t, "SchedulerFunction")["Properties"]["EventInvokeConfig"];
    let on_failure = &config["DestinationConfig"]["OnFailure"];
    assert_eq!(on_failure["Type"], "SQS");
    let queue = on_failure["Destination"]["Fn::GetAtt"][0]
        .as_str()
        .expect("the destination is a queue of the template");
    assert_eq!(on_failure["Destination"], get_att(queue, "Arn"));
    assert_eq!(resource(&t, queue)["Type"], "AWS::SQS::Queue");
    assert_queue_encrypted_with_the_sqs_key(&t, queue);
    assert!(
        number(&config["MaximumRetryAttempts"]) <= 2,
        "retries stay within Lambda's limit"
    );
    // Lambda sends the record with the function's role, which may do nothing else with it.
    let senders: Vec<(String, Vec<String>)> = function_statements(&t)
        .into_iter()
        .filter(|(_, s)| items(&s["Resource"]).iter().any(|r| mentions(r, queue)))
        .map(|(role, s)| (role, strings(&s["Action"])))
        .collect();
    assert_eq!(
        senders,
        [(
            "SchedulerFunctionRole".to_string(),
            vec!["sqs:SendMessage".to_string()]
        )]
    );
    assert!(
        alarm_on_queue_depth(&t, queue),
        "an alarm on the failures queue's depth"
    );
}

/// An alarm fires as soon as the queue holds a visible message.
fn alarm_on_queue_depth(t: &Value, queue: &str) -> bool {
    let alarms = resources_of_type(t, "AWS::CloudWatch::Alarm");
    alarms.values().any(|a| {
        let p = &a["Properties"];
        p["Namespace"] == "AWS/SQS"
            && p["MetricName"] == "ApproximateNumberOfMessagesVisible"
            && p["ComparisonOperator"] == "GreaterThanThreshold"
            && number(&p["Threshold"]) == 0
            && p["Dimensions"].as_array().is_some_and(|d| {
                d.iter()
                    .any(|d| d["Name"] == "QueueName" && d["Value"] == get_att(queue, "QueueName"))
            })
    })
}

/// A bucket's properties block every public access and disable ACLs (the bucket owner owns
/// every object).
fn assert_private_and_owner_enforced(p: &Value) {
    for block in [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(p["PublicAccessBlockConfiguration"][block], true, "{block}");
    }
    assert_eq!(
        p["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
        "BucketOwnerEnforced"
    );
}

#[test]
fn the_exports_bucket_is_deployed_as_resources_defines_it() {
    let t = template();
    let bucket = resource(&t, EXPORTS_BUCKET.logical_id);
    assert_eq!(bucket["Type"], "AWS::S3::Bucket");
    let p = &bucket["Properties"];

    let rules: BTreeMap<&str, &Value> = p["LifecycleConfiguration"]["Rules"]
        .as_array()
        .expect("lifecycle rules")
        .iter()
        .map(|r| (r["Id"].as_str().expect("rule Id"), r))
        .collect();
    // The rule ids exports-local-env's provision.rs uses.
    let expire = rules["expire-exports"];
    assert_eq!(expire["Status"], "Enabled");
    assert_eq!(expire["Prefix"], EXPORTS_BUCKET.exports_prefix);
    assert_eq!(
        number(&expire["ExpirationInDays"]),
        EXPORTS_BUCKET.expire_after_days as u64
    );
    let abort = rules["abort-incomplete-uploads"];
    assert_eq!(abort["Status"], "Enabled");
    assert!(abort.get("Prefix").is_none_or(|p| p == ""), "whole bucket");
    assert_eq!(
        number(&abort["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]),
        EXPORTS_BUCKET.abort_incomplete_uploads_after_days as u64
    );
    assert_eq!(rules.len(), 2, "no other lifecycle rules");

    let sse = &p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0];
    assert_eq!(
        sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"],
        "aws:kms"
    );
    let key_arn = &sse["ServerSideEncryptionByDefault"]["KMSMasterKeyID"];
    let key_id = key_arn["Fn::GetAtt"][0]
        .as_str()
        .expect("the bucket's key is the template's key");
    assert_eq!(*key_arn, get_att(key_id, "Arn"));
    assert_eq!(sse["BucketKeyEnabled"], true);

    let key = resource(&t, key_id);
    assert_eq!(key["Type"], "AWS::KMS::Key");
    assert_eq!(key["Properties"]["EnableKeyRotation"], true);
    let aliases = resources_of_type(&t, "AWS::KMS::Alias");
    assert!(
        aliases
            .values()
            .any(|a| a["Properties"]["TargetKeyId"] == reference(key_id)),
        "the key has an alias"
    );

    assert_private_and_owner_enforced(p);

    let policies = resources_of_type(&t, "AWS::S3::BucketPolicy");
    let policy = policies
        .values()
        .find(|p| p["Properties"]["Bucket"] == reference(EXPORTS_BUCKET.logical_id))
        .expect("a bucket policy");
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements");
    let denies = |action: &str, condition: &str, key: &str, value: &Value| {
        statements.iter().any(|s| {
            s["Effect"] == "Deny"
                && s["Principal"] == "*"
                && strings(&s["Action"]).iter().any(|a| a == action)
                && s["Condition"][condition][key] == *value
        })
    };
    // A deny on an encryption header must apply only when the header is sent: a multipart
    // upload's parts are authorized as s3:PutObject and never carry it, so a bare
    // StringNotEquals (true when the key is absent) would refuse every large export.
    let header_denies_only_when_sent = |key: &str| {
        statements
            .iter()
            .filter(|s| s["Effect"] == "Deny" && !s["Condition"]["StringNotEquals"][key].is_null())
            .all(|s| s["Condition"]["Null"][key] == "false")
    };
    for key in [
        "s3:x-amz-server-side-encryption",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
    ] {
        assert!(
            header_denies_only_when_sent(key),
            "the deny on {key} must carry Null: false, or multipart parts are refused"
        );
    }
    assert!(
        denies("s3:*", "Bool", "aws:SecureTransport", &json!("false")),
        "non-TLS requests are denied"
    );
    assert!(
        denies(
            "s3:PutObject",
            "StringNotEquals",
            "s3:x-amz-server-side-encryption",
            &json!("aws:kms")
        ),
        "uploads naming another encryption than SSE-KMS are denied"
    );
    assert!(
        denies(
            "s3:PutObject",
            "StringNotEquals",
            "s3:x-amz-server-side-encryption-aws-kms-key-id",
            &get_att(key_id, "Arn")
        ),
        "uploads with another key are denied"
    );
}

#[test]
fn the_exports_bucket_logs_every_access_to_a_private_log_bucket() {
    let t = template();
    let logging = &resource(&t, EXPORTS_BUCKET.logical_id)["Properties"]["LoggingConfiguration"];
    let log_bucket_id = logging["DestinationBucketName"]["Ref"]
        .as_str()
        .expect("the exports bucket logs to a bucket of the template");
    assert_ne!(log_bucket_id, EXPORTS_BUCKET.logical_id, "not into itself");
    let prefix = logging["LogFilePrefix"].as_str().expect("a log prefix");
    let log_bucket = resource(&t, log_bucket_id);
    assert_eq!(log_bucket["Type"], "AWS::S3::Bucket");
    let p = &log_bucket["Properties"];
    // S3 log delivery cannot write into an SSE-KMS bucket.
    assert_eq!(
        p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
            ["SSEAlgorithm"],
        "AES256"
    );
    assert_private_and_owner_enforced(p);
    let expires = p["LifecycleConfiguration"]["Rules"]
        .as_array()
        .expect("lifecycle rules")
        .iter()
        .any(|r| r["Status"] == "Enabled" && r.get("ExpirationInDays").is_some());
    assert!(expires, "access logs expire");

    // Only S3's log delivery may write, only under the prefix, only for the exports bucket of
    // this account.
    let policies = resources_of_type(&t, "AWS::S3::BucketPolicy");
    let policy = policies
        .values()
        .find(|p| p["Properties"]["Bucket"] == reference(log_bucket_id))
        .expect("a policy on the log bucket");
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements");
    let allows: Vec<&Value> = statements
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .collect();
    assert_eq!(allows.len(), 1, "one Allow: log delivery");
    let delivery = allows[0];
    assert_eq!(
        delivery["Principal"],
        json!({"Service": "logging.s3.amazonaws.com"})
    );
    assert_eq!(strings(&delivery["Action"]), ["s3:PutObject"]);
    assert_eq!(
        delivery["Resource"],
        json!({"Fn::Sub": format!("${{{log_bucket_id}.Arn}}/{prefix}*")})
    );
    let exports_name =
        &resource(&t, EXPORTS_BUCKET.logical_id)["Properties"]["BucketName"]["Fn::Sub"];
    let source = format!(
        "arn:${{AWS::Partition}}:s3:::{}",
        exports_name.as_str().expect("the exports bucket's name")
    );
    assert_eq!(
        delivery["Condition"]["ArnLike"]["aws:SourceArn"],
        json!({ "Fn::Sub": source })
    );
    assert_eq!(
        delivery["Condition"]["StringEquals"]["aws:SourceAccount"],
        reference("AWS::AccountId")
    );
    assert!(
        statements
            .iter()
            .any(|s| s["Effect"] == "Deny"
                && s["Condition"]["Bool"]["aws:SecureTransport"] == "false"),
        "non-TLS requests are denied"
    );
}

/// The `Default` of a template parameter, as a number.
fn parameter_default(t: &Value, name: &str) -> u64 {
    let p = &t["Parameters"][name];
    assert_eq!(p["Type"], "Number", "{name}");
    number(&p["Default"])
}

#[test]
fn every_function_has_reserved_concurrency_from_a_parameter() {
    let t = template();
    for (id, ..) in FUNCTIONS {
        let reserved = &resource(&t, id)["Properties"]["ReservedConcurrentExecutions"];
        let parameter = reserved["Ref"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: ReservedConcurrentExecutions from a parameter"));
        assert!(parameter_default(&t, parameter) >= 1, "{id}: {parameter}");
    }
    // The renderer's reservation covers what its event source mapping may run at once, or
    // polled messages would be throttled back towards the dead-letter queue.
    let renderer = &resource(&t, "RendererFunction")["Properties"];
    let parameter = renderer["ReservedConcurrentExecutions"]["Ref"]
        .as_str()
        .expect("a parameter");
    let mapping_max = renderer["Events"]
        .as_object()
        .expect("renderer events")
        .values()
        .filter(|e| e["Type"] == "SQS")
        .map(|e| number(&e["Properties"]["ScalingConfig"]["MaximumConcurrency"]))
        .max()
        .expect("the jobs queue's mapping has a MaximumConcurrency");
    assert!(parameter_default(&t, parameter) >= mapping_max);
    assert!(number(&t["Parameters"][parameter]["MinValue"]) >= mapping_max);
    // The scheduler's reservation covers the runs its queue's mapping may run at once, plus the
    // tick, whatever the run concurrency is set to.
    let scheduler = &resource(&t, "SchedulerFunction")["Properties"];
    let parameter = scheduler["ReservedConcurrentExecutions"]["Ref"]
        .as_str()
        .expect("a parameter");
    let runs = number(&t["Parameters"]["ScheduledRunConcurrency"]["Default"]);
    assert_eq!(parameter_default(&t, parameter), runs + 1);
    assert!(
        number(&t["Parameters"][parameter]["MinValue"])
            > number(&t["Parameters"]["ScheduledRunConcurrency"]["MinValue"])
    );
}

/// Function logical id, cargo package (= binary) and crate directory.
const FUNCTIONS: &[(&str, &str, &str)] = &[
    ("ApiFunction", "exports-api", "functions/api"),
    ("RendererFunction", "exports-renderer", "functions/renderer"),
    (
        "SchedulerFunction",
        "exports-scheduler",
        "functions/scheduler",
    ),
];

#[test]
fn every_function_is_an_arm64_cargo_lambda_build_of_its_crate() {
    let t = template();
    let deployed: BTreeSet<&str> = resources_of_type(&t, "AWS::Serverless::Function")
        .into_keys()
        .collect();
    let expected: BTreeSet<&str> = FUNCTIONS.iter().map(|(id, ..)| *id).collect();
    assert_eq!(deployed, expected);

    for (id, binary, dir) in FUNCTIONS {
        let f = resource(&t, id);
        assert_eq!(f["Metadata"]["BuildMethod"], "rust-cargolambda", "{id}");
        assert_eq!(f["Metadata"]["BuildProperties"]["Binary"], *binary, "{id}");
        let p = &f["Properties"];
        assert_eq!(
            p["CodeUri"],
            format!("../{dir}"),
            "{id}: relative to infra/"
        );
        assert_eq!(p["Runtime"], "provided.al2023", "{id}");
        assert_eq!(p["Architectures"], json!(["arm64"]), "{id}");
        assert_eq!(p["Handler"], "bootstrap", "{id}");
        assert!(number(&p["MemorySize"]) >= 128, "{id} memory");
        assert!(number(&p["Timeout"]) >= 1, "{id} timeout");

        // The crate at CodeUri is the package of that name, whose binary is its name too.
        let manifest = repo_root().join(dir).join("Cargo.toml");
        let manifest = std::fs::read_to_string(&manifest)
            .unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
        let package = manifest
            .lines()
            .find_map(|l| l.trim().strip_prefix("name = "))
            .map(|n| n.trim_matches('"'));
        assert_eq!(package, Some(*binary), "{dir}/Cargo.toml");
        assert!(
            !manifest.contains("[[bin]]"),
            "{dir}: one binary, the package's"
        );
        assert!(repo_root().join(dir).join("src/main.rs").exists());

        // Logs go to a log group of the template's, with a retention.
        let group = p["LoggingConfig"]["LogGroup"]["Ref"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: LoggingConfig.LogGroup names a log group"));
        let group = resource(&t, group);
        assert_eq!(group["Type"], "AWS::Logs::LogGroup");
        assert!(
            group["Properties"].get("RetentionInDays").is_some(),
            "{id}: log retention"
        );
    }
}

#[test]
fn every_function_gets_the_configuration_the_code_reads() {
    let t = template();
    let env = &t["Globals"]["Function"]["Environment"]["Variables"];
    let table = |tbl: Table| reference(table_spec(tbl).logical_id);
    let expected = [
        ("RECORDS_TABLE", table(Table::Records)),
        ("JOBS_TABLE", table(Table::Jobs)),
        ("AUDIT_TABLE", table(Table::Audit)),
        ("CONTROL_TABLE", table(Table::Control)),
        ("TEMPLATES_TABLE", table(Table::Templates)),
        ("SCHEDULES_TABLE", table(Table::Schedules)),
        ("JOBS_QUEUE", get_att(JOBS_QUEUE.logical_id, "QueueName")),
        ("JOBS_QUEUE_URL", reference(JOBS_QUEUE.logical_id)),
        ("JOBS_DLQ", get_att(JOBS_QUEUE.dlq_logical_id, "QueueName")),
        ("EXPORTS_BUCKET", reference(EXPORTS_BUCKET.logical_id)),
    ];
    for (variable, value) in expected {
        assert_eq!(env[variable], value, "{variable}");
    }
    // The key by ARN: the bucket policy compares uploads' key id with the ARN.
    let key_arn = &resource(&t, EXPORTS_BUCKET.logical_id)["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        [0]["ServerSideEncryptionByDefault"]["KMSMasterKeyID"];
    assert_eq!(env["KMS_KEY_ID"], *key_arn, "KMS_KEY_ID");
    for variable in [
        "SES_SENDER",
        "DOWNLOAD_URL_TTL_SECONDS",
        "EXPORTS_PER_HOUR",
        "LOG_LEVEL",
    ] {
        assert!(env.get(variable).is_some(), "{variable} is set");
    }
    let scheduler = &resource(&t, "SchedulerFunction")["Properties"];
    assert!(
        scheduler["Environment"]["Variables"]
            .get("APP_BASE_URL")
            .is_some(),
        "APP_BASE_URL"
    );
    let scheduled = scheduler["Events"]
        .as_object()
        .expect("scheduler events")
        .values()
        .any(|e| {
            matches!(e["Type"].as_str(), Some("ScheduleV2" | "Schedule"))
                && e["Properties"]["ScheduleExpression"] == "rate(15 minutes)"
        });
    assert!(scheduled, "the scheduler runs every 15 minutes");
}

#[test]
fn every_route_the_api_serves_is_an_http_api_event_of_the_api_function() {
    let t = template();
    let mut routed: BTreeSet<(String, String)> = BTreeSet::new();
    for (id, f) in resources_of_type(&t, "AWS::Serverless::Function") {
        let Some(events) = f["Properties"].get("Events").and_then(Value::as_object) else {
            continue;
        };
        for (name, e) in events {
            if !matches!(e["Type"].as_str(), Some("HttpApi" | "Api")) {
                continue;
            }
            assert_eq!(
                id, "ApiFunction",
                "{id}.{name}: only the API function serves HTTP"
            );
            assert_eq!(e["Type"], "HttpApi", "{name}");
            let p = &e["Properties"];
            assert_eq!(p["ApiId"], reference("HttpApi"), "{name}");
            assert!(
                p.get("Auth").is_none(),
                "{name}: the default JWT authorizer"
            );
            let method = p["Method"].as_str().expect("Method").to_ascii_uppercase();
            let path = p["Path"].as_str().expect("Path").to_string();
            assert!(routed.insert((method, path)), "{name} repeats a route");
        }
    }
    let served: BTreeSet<(String, String)> = exports_api::ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    assert_eq!(
        routed, served,
        "the template's routes are exports_api::ROUTES"
    );

    let api = &resource(&t, "HttpApi")["Properties"];
    let default = api["Auth"]["DefaultAuthorizer"]
        .as_str()
        .expect("a default authorizer");
    let jwt = &api["Auth"]["Authorizers"][default]["JwtConfiguration"];
    assert_eq!(jwt["issuer"], reference("JwtIssuer"));
    assert_eq!(jwt["audience"], reference("JwtAudience"));
    assert_http_api_cors_is_the_api_policy(&api["CorsConfiguration"]);
    assert!(api["DefaultRouteSettings"]["ThrottlingBurstLimit"].is_object());
    assert!(api["DefaultRouteSettings"]["ThrottlingRateLimit"].is_object());
    assert!(api["AccessLogSettings"]["DestinationArn"].is_object());
}

fn lower(v: &Value) -> Vec<String> {
    strings(v).iter().map(|s| s.to_ascii_lowercase()).collect()
}

fn owned(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_ascii_lowercase()).collect()
}

/// The HTTP API answers preflights and adds the headers with `exports_api::cors`'s policy, and
/// allows every method a route uses (a PUT or PATCH it did not allow would fail in the browser).
fn assert_http_api_cors_is_the_api_policy(cors: &Value) {
    use exports_api::cors;
    assert_eq!(
        cors["AllowOrigins"],
        reference("WebAppOrigin"),
        "origins are the WebAppOrigin list"
    );
    let methods = strings(&cors["AllowMethods"]);
    for r in exports_api::ROUTES {
        assert!(
            methods.iter().any(|m| m == r.method),
            "CORS must allow {} for {}",
            r.method,
            r.path
        );
    }
    assert_eq!(methods, cors::allow_methods(), "AllowMethods");
    assert_eq!(
        lower(&cors["AllowHeaders"]),
        owned(cors::ALLOW_HEADERS),
        "AllowHeaders"
    );
    assert_eq!(
        lower(&cors["ExposeHeaders"]),
        owned(cors::EXPOSE_HEADERS),
        "ExposeHeaders"
    );
    assert_eq!(number(&cors["MaxAge"]), u64::from(cors::MAX_AGE_SECONDS));
    assert!(
        cors.get("AllowCredentials").is_none_or(|c| c == false),
        "bearer tokens, no cookies"
    );
}

#[test]
fn the_exports_bucket_lets_the_web_app_download_with_fetch() {
    let t = template();
    let rules =
        resource(&t, EXPORTS_BUCKET.logical_id)["Properties"]["CorsConfiguration"]["CorsRules"]
            .as_array()
            .expect("a CORS rule on the exports bucket")
            .clone();
    assert_eq!(
        rules.len(),
        1,
        "one rule, as exports-local-env's provision.rs writes"
    );
    let rule = &rules[0];
    let spec = EXPORTS_BUCKET.cors;
    assert_eq!(
        t["Parameters"]["WebAppOrigin"]["Type"], "CommaDelimitedList",
        "one or several origins"
    );
    assert_eq!(rule["AllowedOrigins"], reference("WebAppOrigin"));
    assert_eq!(
        strings(&rule["AllowedMethods"]),
        owned_exact(spec.allowed_methods)
    );
    assert_eq!(
        strings(&rule["ExposedHeaders"]),
        owned_exact(spec.exposed_headers)
    );
    assert!(
        spec.exposed_headers.contains(&"Content-Disposition"),
        "a page reads the file's name"
    );
    assert_eq!(number(&rule["MaxAge"]), spec.max_age_seconds as u64);
    assert!(rule.get("AllowedHeaders").is_none(), "simple GETs only");
}

fn owned_exact(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// `(role, Allow statement)` of every function's role; functions carry no SAM `Policies` and
/// roles no managed policies, so these are all the permissions the functions have.
fn function_statements(t: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (id, ..) in FUNCTIONS {
        let p = &resource(t, id)["Properties"];
        assert!(
            p.get("Policies").is_none(),
            "{id}: permissions live in its role"
        );
        let role_id = p["Role"]["Fn::GetAtt"][0]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: Role is a role of the template"));
        let role = resource(t, role_id);
        assert_eq!(role["Type"], "AWS::IAM::Role");
        assert!(
            role["Properties"].get("ManagedPolicyArns").is_none(),
            "{role_id}: no managed policies"
        );
        for policy in role["Properties"]["Policies"].as_array().expect("policies") {
            for s in policy["PolicyDocument"]["Statement"]
                .as_array()
                .expect("statements")
            {
                assert_eq!(s["Effect"], "Allow", "{role_id}");
                out.push((role_id.to_string(), s.clone()));
            }
        }
    }
    for kind in ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"] {
        assert!(
            resources_of_type(t, kind).is_empty(),
            "{kind}: permissions belong in the functions' roles"
        );
    }
    out
}

fn mentions(resource: &Value, logical_id: &str) -> bool {
    let text = resource.to_string();
    text.contains(&format!("\"{logical_id}\"")) || text.contains(&format!("${{{logical_id}."))
}

#[test]
fn no_function_may_change_or_delete_the_audit_trail() {
    let t = template();
    let audit = table_spec(Table::Audit).logical_id;
    let allowed: BTreeSet<&str> = ["dynamodb:PutItem", "dynamodb:Query"].into();
    let mut granted: BTreeSet<(String, String)> = BTreeSet::new();
    for (role, s) in function_statements(&t) {
        let actions = strings(&s["Action"]);
        for a in &actions {
            assert!(!a.contains('*'), "{role}: no wildcard actions ({a})");
        }
        for r in items(&s["Resource"]) {
            // X-Ray's write actions take no resource but "*"; nothing else may.
            if *r == json!("*") {
                assert_eq!(
                    actions, XRAY_ACTIONS,
                    "{role}: {actions:?} on every resource"
                );
            }
            if mentions(r, audit) {
                for a in &actions {
                    assert!(
                        allowed.contains(a.as_str()),
                        "{role} may {a} on the audit table"
                    );
                    granted.insert((role.clone(), a.clone()));
                }
            }
        }
    }
    // Who writes and reads it: the API (events and the admin's export), the renderer (events,
    // and the audit exports' files) and the scheduler (events).
    for (role, action) in [
        ("ApiFunctionRole", "dynamodb:PutItem"),
        ("ApiFunctionRole", "dynamodb:Query"),
        ("RendererFunctionRole", "dynamodb:PutItem"),
        ("RendererFunctionRole", "dynamodb:Query"),
        ("SchedulerFunctionRole", "dynamodb:PutItem"),
    ] {
        assert!(
            granted.contains(&(role.to_string(), action.to_string())),
            "{role} needs {action} on the audit table"
        );
    }
}

#[test]
fn only_the_functions_that_render_may_generate_data_keys() {
    let t = template();
    let generating: BTreeSet<String> = function_statements(&t)
        .into_iter()
        .filter(|(_, s)| {
            strings(&s["Action"])
                .iter()
                .any(|a| a.starts_with("kms:GenerateDataKey"))
        })
        .map(|(role, _)| role)
        .collect();
    // The renderer, and the scheduler, which renders scheduled reports itself.
    assert_eq!(
        generating,
        BTreeSet::from([
            "RendererFunctionRole".to_string(),
            "SchedulerFunctionRole".to_string()
        ])
    );
}

/// Every Checkov finding the template accepts: (resource, check id). docs/deploy.md ("Security
/// scan") gives each one's reason; a new skip must be added there and here.
const CHECKOV_SKIPS: &[(&str, &str)] = &[
    ("ApiAccessLogGroup", "CKV_AWS_158"),
    ("ApiFunctionLogGroup", "CKV_AWS_158"),
    ("RendererFunctionLogGroup", "CKV_AWS_158"),
    ("SchedulerFunctionLogGroup", "CKV_AWS_158"),
    ("ApiFunction", "CKV_AWS_116"),
    ("ApiFunction", "CKV_AWS_117"),
    ("ApiFunction", "CKV_AWS_173"),
    ("RendererFunction", "CKV_AWS_116"),
    ("RendererFunction", "CKV_AWS_117"),
    ("RendererFunction", "CKV_AWS_173"),
    ("SchedulerFunction", "CKV_AWS_116"),
    ("SchedulerFunction", "CKV_AWS_117"),
    ("SchedulerFunction", "CKV_AWS_173"),
    ("ExportsBucket", "CKV_AWS_21"),
    ("ExportsAccessLogBucket", "CKV_AWS_18"),
    ("ExportsAccessLogBucket", "CKV_AWS_21"),
];

#[test]
fn the_accepted_checkov_findings_are_the_documented_ones_each_with_a_reason() {
    let t = template();
    let mut skipped: BTreeSet<(String, String)> = BTreeSet::new();
    for (id, r) in t["Resources"].as_object().expect("Resources") {
        let Some(skips) = r["Metadata"]["checkov"]["skip"].as_array() else {
            continue;
        };
        for skip in skips {
            let check = skip["id"].as_str().expect("a check id");
            let reason = skip["comment"].as_str().unwrap_or_default();
            assert!(
                reason.split_whitespace().count() >= 5,
                "{id} {check}: a reason"
            );
            assert!(
                skipped.insert((id.clone(), check.to_string())),
                "{id} skips {check} twice"
            );
        }
    }
    let expected: BTreeSet<(String, String)> = CHECKOV_SKIPS
        .iter()
        .map(|(r, c)| (r.to_string(), c.to_string()))
        .collect();
    assert_eq!(skipped, expected, "the skips docs/deploy.md lists");

    let docs = std::fs::read_to_string(repo_root().join("docs/deploy.md")).expect("docs/deploy.md");
    let section = docs
        .split("## Security scan")
        .nth(1)
        .expect("docs/deploy.md has a Security scan section");
    for (resource, check) in CHECKOV_SKIPS {
        let listed = section.lines().any(|l| {
            l.contains(&format!("`{check}`"))
                && (l.contains(&format!("`{resource}`"))
                    || (l.contains("the three functions") && resource.ends_with("Function")))
        });
        assert!(listed, "docs/deploy.md lists {check} for {resource}");
    }
}

/// What `Tracing: Active` needs in a custom role: writing trace data, on `*` (X-Ray has no
/// resource-level permissions for these).
const XRAY_ACTIONS: [&str; 2] = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

#[test]
fn every_function_is_traced_with_x_ray_and_may_write_its_traces() {
    let t = template();
    assert_eq!(t["Globals"]["Function"]["Tracing"], "Active");
    let statements = function_statements(&t);
    for (id, ..) in FUNCTIONS {
        let p = &resource(&t, id)["Properties"];
        assert!(
            p.get("Tracing").is_none_or(|v| v == "Active"),
            "{id} keeps tracing on"
        );
        let role = p["Role"]["Fn::GetAtt"][0].as_str().expect("a role");
        assert!(
            statements.iter().any(|(r, s)| r == role
                && strings(&s["Action"]) == XRAY_ACTIONS
                && s["Resource"] == "*"),
            "{role} may write X-Ray segments"
        );
    }
}

/// The alarms on `namespace`/`metric` whose dimensions are exactly `dimensions`.
fn alarms_on<'a>(
    t: &'a Value,
    namespace: &str,
    metric: &str,
    dimensions: &[(&str, Value)],
) -> Vec<&'a str> {
    let expected: BTreeSet<(String, String)> = dimensions
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    resources_of_type(t, "AWS::CloudWatch::Alarm")
        .into_iter()
        .filter(|(_, a)| {
            let p = &a["Properties"];
            let dims: BTreeSet<(String, String)> = p["Dimensions"]
                .as_array()
                .map(|d| {
                    d.iter()
                        .map(|d| {
                            let name = d["Name"].as_str().expect("a dimension name");
                            (name.to_string(), d["Value"].to_string())
                        })
                        .collect()
                })
                .unwrap_or_default();
            p["Namespace"] == namespace && p["MetricName"] == metric && dims == expected
        })
        .map(|(id, _)| id)
        .collect()
}

#[test]
fn the_operations_alarms_watch_the_api_the_renderer_the_queues_and_failed_renders() {
    let t = template();
    let function_name = |id: &str| reference(id);
    let queue_name = |id: &str| get_att(id, "QueueName");
    let watched = [
        (
            "AWS/ApiGateway",
            "5xx",
            vec![("ApiId", reference("HttpApi"))],
        ),
        (
            "AWS/Lambda",
            "Errors",
            vec![("FunctionName", function_name("RendererFunction"))],
        ),
        (
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            vec![("QueueName", queue_name(JOBS_QUEUE.logical_id))],
        ),
        (
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            vec![("QueueName", queue_name(RUNS_QUEUE.logical_id))],
        ),
        (
            NAMESPACE,
            metrics::name::EXPORTS_FAILED,
            vec![
                ("Function", json!(Function::Renderer.as_str())),
                ("Code", json!("render_failed")),
            ],
        ),
    ];
    for (namespace, metric, dims) in &watched {
        let found = alarms_on(&t, namespace, metric, dims);
        assert_eq!(found.len(), 1, "one alarm on {namespace} {metric} {dims:?}");
    }
    // The custom metric is one the renderer emits, with a code the core gives failed jobs.
    assert!(metrics::emitted_by(Function::Renderer).contains(&metrics::name::EXPORTS_FAILED));
    // The dead-letter queues keep theirs.
    for dlq in [JOBS_QUEUE.dlq_logical_id, RUNS_QUEUE.dlq_logical_id] {
        assert!(alarm_on_queue_depth(&t, dlq), "an alarm on {dlq}");
    }
    // Every alarm notifies the optional topic, alarm and OK alike.
    let notify = json!({"Fn::If": ["HasAlarmTopic", [reference("AlarmTopicArn")], reference("AWS::NoValue")]});
    for (id, a) in resources_of_type(&t, "AWS::CloudWatch::Alarm") {
        assert_eq!(a["Properties"]["AlarmActions"], notify, "{id}");
        assert_eq!(a["Properties"]["OKActions"], notify, "{id}");
    }
}

/// The dashboard's body as JSON: its `Fn::Sub` placeholders (`${Resource}`) are left in place,
/// inside strings.
fn dashboard(t: &Value) -> Value {
    let dashboards = resources_of_type(t, "AWS::CloudWatch::Dashboard");
    assert_eq!(dashboards.len(), 1, "one dashboard");
    let body = dashboards.values().next().expect("one")["Properties"]["DashboardBody"]["Fn::Sub"]
        .as_str()
        .expect("the body is a Fn::Sub string");
    serde_json::from_str(body).expect("the dashboard body is JSON")
}

/// Every metric row of the dashboard's graphs: (namespace, name, dimensions).
fn dashboard_metrics(body: &Value) -> Vec<(String, String, BTreeMap<String, String>)> {
    let mut rows = Vec::new();
    for w in body["widgets"].as_array().expect("widgets") {
        let Some(metrics) = w["properties"]["metrics"].as_array() else {
            continue;
        };
        for row in metrics {
            let parts: Vec<&str> = row
                .as_array()
                .expect("a metric row")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert!(
                parts.len() >= 2 && parts.len().is_multiple_of(2),
                "namespace, name, then dimension pairs in full (no \".\" shorthand): {row}"
            );
            assert!(!parts.contains(&"."), "no shorthand: {row}");
            let dims = parts[2..]
                .chunks(2)
                .map(|p| (p[0].to_string(), p[1].to_string()))
                .collect();
            rows.push((parts[0].to_string(), parts[1].to_string(), dims));
        }
    }
    rows
}

#[test]
fn the_dashboard_graphs_every_metric_the_functions_emit_as_they_emit_it() {
    let t = template();
    let body = dashboard(&t);
    let rows = dashboard_metrics(&body);
    let mut shown = BTreeSet::new();
    for (namespace, name, dims) in &rows {
        if namespace != NAMESPACE {
            continue;
        }
        let function = dims.get("Function").expect("by Function");
        let emitter = Function::ALL
            .into_iter()
            .find(|f| f.as_str() == function)
            .unwrap_or_else(|| panic!("{name}: no function {function}"));
        assert!(
            metrics::emitted_by(emitter).contains(&name.as_str()),
            "{name} is emitted by {function}"
        );
        assert_eq!(
            dims.len(),
            1,
            "{name}: by Function alone, a dimension set the code emits"
        );
        shown.insert(name.as_str());
    }
    let emitted: BTreeSet<&str> = metrics::name::ALL.iter().copied().collect();
    assert_eq!(shown, emitted, "every emitted metric is on the dashboard");

    // And the AWS metrics the alarms watch, on the resources they watch.
    for (namespace, name, dim, value) in [
        ("AWS/ApiGateway", "5xx", "ApiId", "${HttpApi}"),
        (
            "AWS/Lambda",
            "Errors",
            "FunctionName",
            "${RendererFunction}",
        ),
        (
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            "QueueName",
            "${JobsQueue.QueueName}",
        ),
        (
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            "QueueName",
            "${ScheduledRunsQueue.QueueName}",
        ),
        (
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            "QueueName",
            "${JobsDeadLetterQueue.QueueName}",
        ),
    ] {
        assert!(
            rows.iter().any(|(n, m, d)| n == namespace
                && m == name
                && d.get(dim).map(String::as_str) == Some(value)),
            "the dashboard graphs {namespace} {name} of {value}"
        );
    }
    for r in [
        "HttpApi",
        "RendererFunction",
        "JobsQueue",
        "ScheduledRunsQueue",
    ] {
        assert!(t["Resources"].get(r).is_some(), "{r} exists");
    }

    // Its alarm widget shows every alarm of the stack, by name.
    let listed: BTreeSet<String> = body["widgets"]
        .as_array()
        .expect("widgets")
        .iter()
        .filter(|w| w["type"] == "alarm")
        .flat_map(|w| {
            w["properties"]["alarms"]
                .as_array()
                .expect("alarms")
                .clone()
        })
        .map(|a| {
            let a = a.as_str().expect("an alarm ARN");
            a.rsplit(":alarm:")
                .next()
                .expect("an alarm ARN")
                .to_string()
        })
        .collect();
    let alarms: BTreeSet<String> = resources_of_type(&t, "AWS::CloudWatch::Alarm")
        .values()
        .map(|a| {
            a["Properties"]["AlarmName"]["Fn::Sub"]
                .as_str()
                .expect("AlarmName is a Fn::Sub of the stack name")
                .to_string()
        })
        .collect();
    assert_eq!(listed, alarms);
}
