//! The templates and schedules stores, the SES mailer and `ObjectStore::get` against the emulator,
//! through the real aws-sdk clients: the same semantics as the core's in-memory fakes
//! (`exports-in-memory`'s `scheduling`).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, DurationRound, NaiveTime, Utc};
use exports_aws::mailer::SesMailer;
use exports_aws::object_store::S3ObjectStore;
use exports_aws::schedules_store::DynamoScheduleStore;
use exports_aws::templates_store::DynamoTemplateStore;
use exports_core::export::{Delivery, ExportFormat, ExportType, PageSize, ScheduleType};
use exports_core::ports::{
    EmailAttachment, MIN_PART_BYTES, Mailer, ObjectStore, OutgoingEmail, PortError, ScheduleStore,
    StoredObject, TemplateStore,
};
use exports_core::recurrence::Recurrence;
use exports_core::scheduled_report::ScheduledReport;
use exports_core::template::{DocumentLayout, ExportTemplate};
use exports_tests::TestEnv;
use exports_tests::readers;
use exports_tests::sent_mail::{endpoint, sent_email, sent_to};
use uuid::Uuid;

/// Now, to the microsecond: stores keep instants at that precision.
fn now() -> DateTime<Utc> {
    Utc::now()
        .duration_trunc(Duration::microseconds(1))
        .unwrap()
}

fn template(owner: &str, created_at: DateTime<Utc>, name: &str) -> ExportTemplate {
    ExportTemplate {
        template_id: Uuid::new_v4(),
        owner_id: Some(owner.to_string()),
        name: name.to_string(),
        export_type: ExportType::ProgressReport,
        default_format: ExportFormat::Pdf,
        include_sections: Some(vec!["goals".into(), "sessions".into()]),
        layout: DocumentLayout {
            page_size: PageSize::A4,
            title: Some("Quarterly progress".into()),
            header_text: Some("Practice header".into()),
            footer_text: None,
            body: Some("# {{ patient.name }}\n".into()),
        },
        created_at,
        updated_at: created_at,
    }
}

fn schedule(
    user: &str,
    template_id: Option<Uuid>,
    patient_id: Uuid,
    due_at: DateTime<Utc>,
    active: bool,
) -> ScheduledReport {
    let created_at = now();
    ScheduledReport {
        schedule_id: Uuid::new_v4(),
        user_id: user.to_string(),
        patient_id,
        export_type: ExportType::SessionNotes,
        format: ExportFormat::Pdf,
        template_id,
        recurrence: Recurrence {
            schedule_type: ScheduleType::Weekly,
            time_of_day: NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
            day_of_week: Some(chrono::Weekday::Mon),
            day_of_month: None,
            timezone: "America/New_York".parse().unwrap(),
        },
        delivery: Delivery::EmailLink,
        active,
        next_run_at: due_at,
        due_at,
        run: None,
        last_run: None,
        created_at,
        updated_at: created_at,
        version: 1,
    }
}

fn templates(env: &TestEnv) -> DynamoTemplateStore {
    DynamoTemplateStore::new(env.clients.dynamodb.clone(), &env.names.templates_table)
}

fn schedules(env: &TestEnv) -> DynamoScheduleStore {
    DynamoScheduleStore::new(env.clients.dynamodb.clone(), &env.names.schedules_table)
}

async fn raw_item(
    env: &TestEnv,
    table: &str,
    key: &str,
    id: String,
) -> HashMap<String, AttributeValue> {
    env.clients
        .dynamodb
        .get_item()
        .table_name(table)
        .key(key, AttributeValue::S(id))
        .consistent_read(true)
        .send()
        .await
        .expect("GetItem")
        .item
        .unwrap_or_default()
}

fn is_conflict<T: std::fmt::Debug>(r: Result<T, PortError>) -> bool {
    matches!(r, Err(PortError::Conflict(_)))
}

#[tokio::test]
async fn templates_are_created_replaced_listed_in_pages_and_deleted() {
    let env = TestEnv::new().await;
    let store = templates(&env);
    let base = now() - Duration::hours(1);
    let mine: Vec<ExportTemplate> = (0..5)
        .map(|i| template("t-1", base + Duration::seconds(i), &format!("mine {i}")))
        .collect();
    // Created out of order: the listing orders by created_at, not by write order.
    for t in mine.iter().rev() {
        store.create(t).await.unwrap();
    }
    let theirs = template("t-2", base, "theirs");
    store.create(&theirs).await.unwrap();

    assert!(is_conflict(store.create(&mine[0]).await), "same id twice");
    assert_eq!(
        store.get(mine[2].template_id).await.unwrap(),
        Some(mine[2].clone())
    );
    assert_eq!(store.get(Uuid::new_v4()).await.unwrap(), None);

    // The index sort key is stored in the fixed, sortable format.
    let item = raw_item(
        &env,
        &env.names.templates_table,
        "template_id",
        mine[0].template_id.to_string(),
    )
    .await;
    assert_eq!(
        item["created_at"].as_s().unwrap(),
        &exports_aws::jobs_store::instant(&mine[0].created_at)
    );

    let mut changed = mine[1].clone();
    changed.name = "renamed".into();
    changed.layout.body = None;
    changed.updated_at = now();
    store.replace(&changed).await.unwrap();
    assert_eq!(
        store.get(changed.template_id).await.unwrap(),
        Some(changed.clone())
    );
    let ghost = template("t-1", base, "never stored");
    assert!(
        is_conflict(store.replace(&ghost).await),
        "replacing a missing one"
    );
    assert_eq!(
        store.get(ghost.template_id).await.unwrap(),
        None,
        "replace did not create"
    );

    // Pages of two, oldest first: 2 + 2 + 1.
    let ids = |ts: &[ExportTemplate]| ts.iter().map(|t| t.template_id).collect::<Vec<_>>();
    let p1 = store.list_for_owner("t-1", None, 2).await.unwrap();
    assert_eq!(ids(&p1.templates), ids(&mine[0..2]));
    assert_eq!(p1.templates[1].name, "renamed");
    let c1 = p1.next.expect("more after page 1");
    assert_eq!(c1.template_id, mine[1].template_id);
    let p2 = store.list_for_owner("t-1", Some(&c1), 2).await.unwrap();
    assert_eq!(ids(&p2.templates), ids(&mine[2..4]));
    let p3 = store
        .list_for_owner("t-1", p2.next.as_ref(), 2)
        .await
        .unwrap();
    assert_eq!(ids(&p3.templates), ids(&mine[4..5]));
    assert_eq!(p3.next, None, "the last page says so");
    // A page that ends exactly at the last template has no next page either.
    let all = store.list_for_owner("t-1", None, 5).await.unwrap();
    assert_eq!(ids(&all.templates), ids(&mine));
    assert_eq!(all.next, None);
    let other = store.list_for_owner("t-2", None, 10).await.unwrap();
    assert_eq!(ids(&other.templates), vec![theirs.template_id]);
    assert!(
        store
            .list_for_owner("t-3", None, 10)
            .await
            .unwrap()
            .templates
            .is_empty()
    );

    // Built-in templates are not stored.
    let mut built_in = template("t-1", base, "built in");
    built_in.owner_id = None;
    assert!(store.create(&built_in).await.is_err());
    assert_eq!(store.get(built_in.template_id).await.unwrap(), None);

    store.delete(mine[0].template_id).await.unwrap();
    store.delete(mine[0].template_id).await.unwrap(); // missing: still fine
    assert_eq!(store.get(mine[0].template_id).await.unwrap(), None);
    let after = store.list_for_owner("t-1", None, 10).await.unwrap();
    assert_eq!(ids(&after.templates), ids(&mine[1..]));
}

#[tokio::test]
async fn one_schedule_per_user_template_and_patient() {
    let env = TestEnv::new().await;
    let store = schedules(&env);
    let patient = Uuid::new_v4();
    let template_id = Uuid::new_v4();
    let due = now() + Duration::days(1);

    let first = schedule("t-1", Some(template_id), patient, due, true);
    store.create(&first).await.unwrap();
    assert_eq!(
        store.get(first.schedule_id).await.unwrap(),
        Some(first.clone())
    );

    let same_key = schedule("t-1", Some(template_id), patient, due, true);
    assert!(
        is_conflict(store.create(&same_key).await),
        "same user, template, patient"
    );
    assert_eq!(
        store.get(same_key.schedule_id).await.unwrap(),
        None,
        "nothing half-written"
    );
    assert!(is_conflict(store.create(&first).await), "same id");

    // A different template, the standard one, another patient or another user: all fine.
    let other_template = schedule("t-1", Some(Uuid::new_v4()), patient, due, true);
    store.create(&other_template).await.unwrap();
    let standard = schedule("t-1", None, patient, due, false);
    store.create(&standard).await.unwrap();
    let standard_again = schedule("t-1", None, patient, due, true);
    assert!(is_conflict(store.create(&standard_again).await));
    store
        .create(&schedule(
            "t-1",
            Some(template_id),
            Uuid::new_v4(),
            due,
            true,
        ))
        .await
        .unwrap();
    store
        .create(&schedule("t-2", Some(template_id), patient, due, true))
        .await
        .unwrap();

    // The user's schedules, oldest first; uniqueness guards are not schedules.
    let listed: Vec<Uuid> = store
        .list_for_user("t-1")
        .await
        .unwrap()
        .iter()
        .map(|s| s.schedule_id)
        .collect();
    assert_eq!(listed.len(), 4);
    assert_eq!(
        listed[..3],
        [
            first.schedule_id,
            other_template.schedule_id,
            standard.schedule_id
        ]
    );
    assert_eq!(store.list_for_user("t-2").await.unwrap().len(), 1);
    assert!(store.list_for_user("t-9").await.unwrap().is_empty());

    // Deleting frees the key: the same (user, template, patient) can be scheduled again.
    store.delete(&first).await.unwrap();
    assert_eq!(store.get(first.schedule_id).await.unwrap(), None);
    store.delete(&first).await.unwrap(); // already gone: fine
    store.create(&same_key).await.unwrap();
    assert_eq!(
        store.get(same_key.schedule_id).await.unwrap(),
        Some(same_key.clone())
    );
    // …and deleting the old one again does not free the new one's key.
    store.delete(&first).await.unwrap();
    let third = schedule("t-1", Some(template_id), patient, due, true);
    assert!(is_conflict(store.create(&third).await));
}

#[tokio::test]
async fn writes_are_conditional_on_the_version() {
    let env = TestEnv::new().await;
    let store = schedules(&env);
    let s1 = schedule("t-1", None, Uuid::new_v4(), now(), true);
    store.create(&s1).await.unwrap();

    let mut s2 = s1.clone();
    s2.version = 2;
    s2.format = ExportFormat::Csv;
    s2.updated_at = now();
    store.update(&s2).await.unwrap();
    assert_eq!(store.get(s1.schedule_id).await.unwrap(), Some(s2.clone()));

    // Another writer read version 1 too: its write loses.
    let mut stale = s1.clone();
    stale.version = 2;
    stale.delivery = Delivery::EmailAttachment;
    assert!(is_conflict(store.update(&stale).await));
    let mut skipping = s2.clone();
    skipping.version = 4;
    assert!(is_conflict(store.update(&skipping).await));
    assert_eq!(store.get(s1.schedule_id).await.unwrap(), Some(s2.clone()));

    // A missing schedule is not created by an update.
    let mut ghost = schedule("t-1", None, Uuid::new_v4(), now(), true);
    ghost.version = 2;
    assert!(is_conflict(store.update(&ghost).await));
    assert_eq!(store.get(ghost.schedule_id).await.unwrap(), None);

    // Delete checks the version too.
    assert!(is_conflict(store.delete(&s1).await), "stale delete");
    assert!(store.get(s1.schedule_id).await.unwrap().is_some());
    store.delete(&s2).await.unwrap();
    assert_eq!(store.get(s1.schedule_id).await.unwrap(), None);
}

#[tokio::test]
async fn due_lists_active_schedules_due_by_now_earliest_first() {
    let env = TestEnv::new().await;
    let store = schedules(&env);
    let now = now();
    let at = |minutes: i64| now + Duration::minutes(minutes);
    let user = |i: usize| format!("t-{i}");
    let late = schedule(&user(1), None, Uuid::new_v4(), at(-30), true);
    let earliest = schedule(&user(2), None, Uuid::new_v4(), at(-180), true);
    let exactly_now = schedule(&user(3), None, Uuid::new_v4(), now, true);
    let paused = schedule(&user(4), None, Uuid::new_v4(), at(-120), false);
    let future = schedule(&user(5), None, Uuid::new_v4(), at(60), true);
    for s in [&late, &earliest, &exactly_now, &paused, &future] {
        store.create(s).await.unwrap();
    }
    let ids = |v: Vec<ScheduledReport>| v.into_iter().map(|s| s.schedule_id).collect::<Vec<_>>();

    assert_eq!(
        ids(store.due(now, 10).await.unwrap()),
        vec![
            earliest.schedule_id,
            late.schedule_id,
            exactly_now.schedule_id
        ]
    );
    assert_eq!(
        ids(store.due(now, 2).await.unwrap()),
        vec![earliest.schedule_id, late.schedule_id]
    );
    assert!(store.due(now, 0).await.unwrap().is_empty());
    assert!(store.due(at(-240), 10).await.unwrap().is_empty());
    assert_eq!(store.due(at(61), 10).await.unwrap().len(), 4);

    // Only active schedules carry the due index's key.
    let item = |id: Uuid| {
        raw_item(
            &env,
            &env.names.schedules_table,
            "schedule_id",
            id.to_string(),
        )
    };
    assert!(!item(paused.schedule_id).await.contains_key("due_shard"));
    let active_item = item(late.schedule_id).await;
    assert!(active_item.contains_key("due_shard"));
    assert_eq!(
        active_item["due_at"].as_s().unwrap(),
        &exports_aws::jobs_store::instant(&late.due_at)
    );
    // Guards hold no user and no due key, so neither index sees them.
    let guard = raw_item(
        &env,
        &env.names.schedules_table,
        "schedule_id",
        format!("unique#{}", late.uniqueness_key()),
    )
    .await;
    assert!(!guard.is_empty(), "the guard exists");
    assert!(!guard.contains_key("user_id") && !guard.contains_key("due_shard"));

    // Pausing takes a schedule out of the index; resuming puts it back.
    let mut paused_late = late.clone();
    paused_late.active = false;
    paused_late.version = 2;
    store.update(&paused_late).await.unwrap();
    assert!(!item(late.schedule_id).await.contains_key("due_shard"));
    assert_eq!(
        ids(store.due(now, 10).await.unwrap()),
        vec![earliest.schedule_id, exactly_now.schedule_id]
    );
    let mut resumed = paused.clone();
    resumed.active = true;
    resumed.version = 2;
    store.update(&resumed).await.unwrap();
    assert_eq!(
        ids(store.due(now, 10).await.unwrap()),
        vec![
            earliest.schedule_id,
            paused.schedule_id,
            exactly_now.schedule_id
        ]
    );

    // A claimed run moves due_at: the schedule leaves the due list until then.
    let mut claimed = earliest.clone();
    claimed.due_at = at(10);
    claimed.version = 2;
    store.update(&claimed).await.unwrap();
    assert_eq!(
        ids(store.due(now, 10).await.unwrap()),
        vec![paused.schedule_id, exactly_now.schedule_id]
    );
}

/// The due index is spread over shards by schedule id; `due` reads them all (and the single
/// shard an earlier version wrote) and merges them earliest first.
#[tokio::test]
async fn due_schedules_spread_over_shards_are_read_back_in_due_order() {
    use exports_aws::schedules_store::{DUE_SHARDS, LEGACY_DUE_SHARD, due_shard};
    let env = TestEnv::new().await;
    let store = schedules(&env);
    let now = now();
    let mut made = Vec::new();
    for i in 0..40 {
        let s = schedule(
            &format!("t-{i}"),
            None,
            Uuid::new_v4(),
            now - Duration::minutes(i),
            true,
        );
        store.create(&s).await.unwrap();
        made.push(s);
    }
    let mut shards = std::collections::BTreeSet::new();
    for s in &made {
        let item = raw_item(
            &env,
            &env.names.schedules_table,
            "schedule_id",
            s.schedule_id.to_string(),
        )
        .await;
        let shard = item["due_shard"].as_s().unwrap().clone();
        assert_eq!(shard, due_shard(s.schedule_id));
        shards.insert(shard);
    }
    assert!(
        shards.len() > 5 && shards.len() as u128 <= DUE_SHARDS,
        "40 schedules land on several shards: {shards:?}"
    );
    // A schedule written by the earlier single-shard version is still due.
    let legacy = schedule(
        "t-legacy",
        None,
        Uuid::new_v4(),
        now - Duration::hours(2),
        true,
    );
    store.create(&legacy).await.unwrap();
    env.clients
        .dynamodb
        .update_item()
        .table_name(&env.names.schedules_table)
        .key(
            "schedule_id",
            AttributeValue::S(legacy.schedule_id.to_string()),
        )
        .update_expression("SET due_shard = :legacy")
        .expression_attribute_values(":legacy", AttributeValue::S(LEGACY_DUE_SHARD.into()))
        .send()
        .await
        .unwrap();

    let due = store.due(now, 100).await.unwrap();
    assert_eq!(due.len(), 41);
    assert_eq!(due[0].schedule_id, legacy.schedule_id, "earliest first");
    assert!(
        due.windows(2).all(|w| w[0].due_at <= w[1].due_at),
        "merged in due order"
    );
    let first_ten = store.due(now, 10).await.unwrap();
    assert_eq!(
        first_ten.iter().map(|s| s.schedule_id).collect::<Vec<_>>(),
        due[..10].iter().map(|s| s.schedule_id).collect::<Vec<_>>(),
        "a page is the earliest across all shards"
    );
}

#[tokio::test]
async fn object_store_reads_back_what_it_stored() {
    let env = TestEnv::new().await;
    let store = S3ObjectStore::new(
        env.clients.s3.clone(),
        &env.names.exports_bucket,
        &env.names.kms_key,
    );
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    store
        .put(StoredObject {
            key: "exports/u/j/report.pdf",
            bytes: &bytes,
            content_type: "application/pdf",
            filename: "report.pdf",
        })
        .await
        .unwrap();
    assert_eq!(
        store.get("exports/u/j/report.pdf").await.unwrap(),
        Some(bytes)
    );
    assert_eq!(store.get("exports/u/j/missing.pdf").await.unwrap(), None);
}

#[tokio::test]
async fn object_store_uploads_in_parts_as_one_encrypted_object_and_aborts_cleanly() {
    let env = TestEnv::new().await;
    let s3 = &env.clients.s3;
    let bucket = &env.names.exports_bucket;
    let store = S3ObjectStore::new(s3.clone(), bucket, &env.names.kms_key);
    // Two parts: the first at S3's minimum, the last shorter, through the real client.
    let key = "exports/u/j/full_record.pdf";
    let bytes: Vec<u8> = (0..(MIN_PART_BYTES + 300_000))
        .map(|i| (i / 3 % 251) as u8)
        .collect();
    let id = store
        .start_upload(key, "application/pdf", "full_record.pdf")
        .await
        .unwrap();
    let mut receipts = Vec::new();
    for (n, part) in [&bytes[..MIN_PART_BYTES], &bytes[MIN_PART_BYTES..]]
        .into_iter()
        .enumerate()
    {
        receipts.push(
            store
                .upload_part(key, &id, n as u32 + 1, part.to_vec())
                .await
                .unwrap(),
        );
    }
    store.complete_upload(key, &id, &receipts).await.unwrap();
    assert!(
        store.get(key).await.unwrap() == Some(bytes),
        "the parts, in order"
    );
    // Encrypted, typed and named as a single put stores it.
    let head = s3
        .head_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_type(), Some("application/pdf"));
    assert_eq!(
        head.content_disposition(),
        Some("attachment; filename=\"full_record.pdf\"")
    );
    assert_eq!(
        head.server_side_encryption().map(|s| s.as_str()),
        Some("aws:kms")
    );
    assert!(
        head.ssekms_key_id()
            .is_some_and(|k| k.ends_with(env.names.kms_key.rsplit('/').next().unwrap())),
        "{:?}",
        head.ssekms_key_id()
    );

    // An aborted upload leaves neither an object nor an open upload.
    let key = "exports/u/k/aborted.pdf";
    let id = store
        .start_upload(key, "application/pdf", "aborted.pdf")
        .await
        .unwrap();
    store
        .upload_part(key, &id, 1, vec![7; MIN_PART_BYTES])
        .await
        .unwrap();
    store.abort_upload(key, &id).await.unwrap();
    assert_eq!(store.get(key).await.unwrap(), None);
    let open = s3
        .list_multipart_uploads()
        .bucket(bucket)
        .prefix(key)
        .send()
        .await
        .unwrap();
    assert!(open.uploads().is_empty(), "{:?}", open.uploads());
}

fn email_to(env: &TestEnv, to: &str, attachment: Option<EmailAttachment>) -> OutgoingEmail {
    OutgoingEmail {
        from: env.names.ses_sender.clone(),
        to: to.to_string(),
        subject: "Your scheduled report is ready — week 12".into(),
        text: "Your report is ready.\nhttps://app.example.com/exports/123".into(),
        html: "<p>Your report is <a href=\"https://app.example.com/exports/123\">ready</a>.</p>"
            .into(),
        attachment,
    }
}

#[tokio::test]
async fn ses_mailer_sends_text_html_and_attachments_through_the_emulator() {
    let env = TestEnv::new().await;
    let mailer = SesMailer::new(env.clients.ses.clone());
    let endpoint = endpoint();
    let to = format!("therapist-{}@practice.example.com", Uuid::new_v4().simple());

    let plain = email_to(&env, &to, None);
    let id = mailer.send(&plain).await.unwrap();
    assert!(!id.is_empty());
    let sent = sent_email(&endpoint, &id)
        .await
        .expect("moto kept the message");
    assert_eq!(sent.source, env.names.ses_sender);
    assert_eq!(sent.destinations, vec![to.clone()]);
    // Read back by an independent MIME parser (Python's `email` package).
    let m = readers::email(sent.raw.as_bytes());
    assert_eq!(m.subject, plain.subject);
    assert_eq!(m.from, env.names.ses_sender);
    assert_eq!(m.to, to);
    assert_eq!(
        m.structure,
        ["multipart/alternative", "text/plain", "text/html"]
    );
    assert_eq!(m.text.replace("\r\n", "\n").trim_end(), plain.text);
    assert_eq!(m.html.replace("\r\n", "\n").trim_end(), plain.html);
    assert!(m.attachments.is_empty());

    let pdf: Vec<u8> = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
        .iter()
        .copied()
        .chain((0..=255u8).cycle().take(30_000))
        .collect();
    let with_file = email_to(
        &env,
        &to,
        Some(EmailAttachment {
            filename: "progress_report_MRN-001_2026-11-02.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: pdf.clone(),
        }),
    );
    let id2 = mailer.send(&with_file).await.unwrap();
    assert_ne!(id, id2);
    let mine = sent_to(&endpoint, &to).await;
    assert_eq!(
        mine.iter()
            .map(|m| m.message_id.as_str())
            .collect::<Vec<_>>(),
        vec![id.as_str(), id2.as_str()]
    );
    let m = readers::email(mine[1].raw.as_bytes());
    assert_eq!(
        m.structure.first().map(String::as_str),
        Some("multipart/mixed")
    );
    assert_eq!(m.subject, with_file.subject);
    assert_eq!(m.text.replace("\r\n", "\n").trim_end(), with_file.text);
    assert_eq!(m.attachments.len(), 1);
    let (name, content_type, bytes) = &m.attachments[0];
    assert_eq!(name, "progress_report_MRN-001_2026-11-02.pdf");
    assert_eq!(content_type, "application/pdf");
    assert_eq!(bytes, &pdf, "the attachment decodes to the bytes sent");
    assert!(
        mine[1].raw.contains("Content-Transfer-Encoding: base64"),
        "the file travels base64-encoded"
    );
}

#[tokio::test]
async fn ses_refusals_are_unavailable_with_the_code_only() {
    let env = TestEnv::new().await;
    let mailer = SesMailer::new(env.clients.ses.clone());
    let mut email = email_to(&env, "someone@practice.example.com", None);
    email.from = format!("nobody-{}@unverified.example.com", Uuid::new_v4().simple());
    match mailer.send(&email).await {
        Err(PortError::Unavailable(message)) => {
            assert!(message.contains("MessageRejected"), "{message}");
            assert!(!message.contains(&email.from), "no addresses: {message}");
            assert!(!message.contains("someone@"), "no addresses: {message}");
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
    // An address that would break the header is refused before SES.
    let mut bad = email_to(&env, "a@example.com\r\nBcc: b@example.com", None);
    bad.from = env.names.ses_sender.clone();
    assert!(matches!(
        mailer.send(&bad).await,
        Err(PortError::Corrupt(_))
    ));
}
