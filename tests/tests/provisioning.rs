//! Provisioning against the emulator: every resource exists with its definition, and running it
//! again changes nothing.

use aws_sdk_s3::types::ServerSideEncryption;
use aws_sdk_sqs::types::QueueAttributeName;
use exports_aws::config::WebAppOrigins;
use exports_aws::resources::{EXPORTS_BUCKET, JOBS_QUEUE, TABLES};
use exports_local_env::provision::{Outcome, provision};
use exports_tests::TestEnv;

#[tokio::test]
async fn provisioning_creates_every_resource_as_defined() {
    let env = TestEnv::new().await;
    let db = &env.clients.dynamodb;

    for spec in TABLES {
        let name = spec.table.name(&env.names);
        let table = db
            .describe_table()
            .table_name(name)
            .send()
            .await
            .unwrap()
            .table
            .unwrap();
        let key: Vec<_> = table
            .key_schema()
            .iter()
            .map(|k| k.attribute_name().to_string())
            .collect();
        let expected: Vec<_> = std::iter::once(spec.key.partition)
            .chain(spec.key.sort)
            .collect();
        assert_eq!(key, expected, "key of {name}");
        let mut indexes: Vec<_> = table
            .global_secondary_indexes()
            .iter()
            .filter_map(|g| g.index_name())
            .collect();
        indexes.sort_unstable();
        let mut expected: Vec<_> = spec.indexes.iter().map(|i| i.name).collect();
        expected.sort_unstable();
        assert_eq!(indexes, expected, "indexes of {name}");
        let ttl = db
            .describe_time_to_live()
            .table_name(name)
            .send()
            .await
            .unwrap();
        assert_eq!(
            ttl.time_to_live_description.and_then(|d| d.attribute_name),
            spec.ttl_attribute.map(String::from),
            "TTL of {name}"
        );
    }

    let sqs = &env.clients.sqs;
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&env.provisioned.jobs_queue_url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(
        attrs[&QueueAttributeName::VisibilityTimeout],
        JOBS_QUEUE.visibility_timeout_seconds.to_string()
    );
    let redrive: serde_json::Value =
        serde_json::from_str(&attrs[&QueueAttributeName::RedrivePolicy]).unwrap();
    assert!(
        redrive["deadLetterTargetArn"]
            .as_str()
            .unwrap()
            .ends_with(&env.names.jobs_dlq)
    );
    assert_eq!(
        redrive["maxReceiveCount"].to_string().trim_matches('"'),
        "5"
    );

    let s3 = &env.clients.s3;
    let bucket = &env.names.exports_bucket;
    let enc = s3
        .get_bucket_encryption()
        .bucket(bucket)
        .send()
        .await
        .unwrap();
    let config = enc.server_side_encryption_configuration.unwrap();
    let rule = &config.rules()[0];
    let default = rule.apply_server_side_encryption_by_default().unwrap();
    assert_eq!(default.sse_algorithm(), &ServerSideEncryption::AwsKms);
    assert_eq!(
        default.kms_master_key_id(),
        Some(env.provisioned.kms_key_arn.as_str())
    );
    let pab = s3
        .get_public_access_block()
        .bucket(bucket)
        .send()
        .await
        .unwrap();
    let pab = pab.public_access_block_configuration.unwrap();
    assert_eq!(
        (
            pab.block_public_acls(),
            pab.ignore_public_acls(),
            pab.block_public_policy(),
            pab.restrict_public_buckets()
        ),
        (Some(true), Some(true), Some(true), Some(true))
    );
    let lifecycle = s3
        .get_bucket_lifecycle_configuration()
        .bucket(bucket)
        .send()
        .await
        .unwrap();
    let expire = lifecycle
        .rules()
        .iter()
        .find(|r| r.id() == Some("expire-exports"))
        .expect("expiry rule");
    assert_eq!(
        expire.expiration().and_then(|e| e.days()),
        Some(EXPORTS_BUCKET.expire_after_days)
    );
    assert_eq!(expire.filter().and_then(|f| f.prefix()), Some("exports/"));

    let key = env
        .kms
        .describe_key()
        .key_id(&env.names.kms_key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        key.key_metadata.unwrap().arn.as_deref(),
        Some(env.provisioned.kms_key_arn.as_str())
    );

    let ids = env.clients.ses.list_identities().send().await.unwrap();
    assert!(ids.identities().contains(&env.names.ses_sender));
}

#[tokio::test]
async fn provisioning_twice_finds_everything_present() {
    let env = TestEnv::new().await;
    let again = provision(
        &env.clients,
        &env.kms,
        &env.names,
        &WebAppOrigins::default(),
    )
    .await
    .expect("second run");
    assert_eq!(again.jobs_queue_url, env.provisioned.jobs_queue_url);
    assert_eq!(again.kms_key_arn, env.provisioned.kms_key_arn);
    let created: Vec<_> = again
        .lines
        .iter()
        .filter(|(_, o)| *o == Outcome::Created)
        .collect();
    assert!(created.is_empty(), "second run created {created:?}");
}
