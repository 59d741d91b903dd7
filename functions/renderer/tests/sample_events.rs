//! events/renderer-sqs-batch.json is an SQS batch the renderer accepts.

#[test]
fn the_sample_sqs_batch_is_a_job_message() {
    let path = format!(
        "{}/../../events/renderer-sqs-batch.json",
        std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo test")
    );
    let event: aws_lambda_events::sqs::SqsEvent =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(event.records.len(), 1);
    let body = event.records[0].body.as_deref().unwrap();
    assert!(exports_aws::queue::parse_message(body).is_some());
    assert_eq!(event.records[0].attributes["ApproximateReceiveCount"], "1");
}
