//! Audit exports as files: requested by an administrator, queued, written by the renderer,
//! downloaded through a short-lived URL, and only by the administrator who asked.

use super::*;
use exports_core::audit::AuditQuery;
use exports_core::ports::AuditLog;

/// An audit export of everything up to now (the default range), by `who`.
fn request(
    w: &World,
    who: &Caller,
) -> Result<exports_core::audit_export::AuditExportView, ServiceError> {
    block_on(
        w.svc
            .request_audit_export(who, &AuditExportQuery::default()),
    )
}

/// Some audit events: one export requested and one refused.
fn some_activity(w: &World) {
    w.export_and_refusal(&w.therapist_of(0));
}

#[test]
fn an_audit_export_is_queued_written_and_downloaded_as_the_range_csv() {
    let w = world();
    some_activity(&w);
    let admin = w.admin();
    let jobs_queued = w.h.queue.peek();
    let accepted = request(&w, &admin).unwrap();
    assert_eq!(accepted.status, JobStatus::Pending);
    assert_eq!(accepted.to, w.now());
    assert_eq!(accepted.from, w.now() - Duration::days(30));
    assert!(accepted.download_url.is_none());
    // Audited as requested, before the file exists.
    let requested = w.events(AuditAction::AuditExported);
    assert_eq!(requested.len(), 1);
    assert_eq!(requested[0].actor_id, "admin-1");
    assert!(
        requested[0]
            .reason
            .as_deref()
            .unwrap()
            .starts_with(&format!("audit export {} requested: ", accepted.export_id)),
        "{:?}",
        requested[0].reason
    );
    // Queued on the jobs queue, as its own kind of message.
    assert_eq!(w.h.queue.peek(), jobs_queued);
    assert_eq!(w.h.queue.take_audit_exports(), vec![accepted.export_id]);
    // Pending until the renderer writes it.
    let pending = block_on(w.svc.get_audit_export(&admin, accepted.export_id)).unwrap();
    assert_eq!(pending.status, JobStatus::Pending);
    assert!(pending.download_url.is_none());

    // What the file must hold: the range's events as they are when it is written.
    let expected = block_on(w.h.audit.query(&AuditQuery {
        from: accepted.from,
        to: accepted.to,
        patient_id: None,
        actor_id: None,
    }))
    .unwrap();
    assert!(expected.len() >= 3, "{expected:?}");
    w.h.clock.advance(secs(5));
    assert_eq!(
        block_on(w.svc.produce_audit_export(accepted.export_id, 1)).unwrap(),
        RenderOutcome::Done
    );
    let stored = w.h.audit_exports.export(accepted.export_id).unwrap();
    let file = stored.file.clone().expect("a file");
    assert_eq!(
        file.key,
        format!(
            "exports/audit/admin-1/{}/audit-log_{}_{}.csv",
            accepted.export_id,
            accepted.from.format("%Y-%m-%d"),
            accepted.to.format("%Y-%m-%d")
        )
    );
    let object = w.h.objects.get(&file.key).expect("object stored");
    assert_eq!(object.bytes, exports_formats::audit_csv(&expected));
    assert_eq!(file.size_bytes, object.bytes.len() as u64);
    assert_eq!(file.sha256, hex(&Sha256::digest(&object.bytes)));
    assert_eq!(stored.expires_at, Some(w.now() + FILE_LIFETIME));

    let downloads_before = w.events(AuditAction::Downloaded).len();
    let done = block_on(w.svc.get_audit_export(&admin, accepted.export_id)).unwrap();
    assert_eq!(done.status, JobStatus::Completed);
    assert_eq!(done.events, Some(expected.len() as u64));
    assert_eq!(done.file.as_ref().unwrap().filename, file.filename);
    let url = done.download_url.expect("a download URL");
    assert!(url.starts_with(&format!("memory://{}?", file.key)), "{url}");
    assert_eq!(
        done.download_url_expires_at,
        Some(w.now() + Duration::seconds(300))
    );
    let downloads = w.events(AuditAction::Downloaded);
    assert_eq!(downloads.len(), downloads_before + 1);
    assert_eq!(
        downloads.last().unwrap().reason.as_deref(),
        Some(format!("audit export {}", accepted.export_id).as_str())
    );

    // A second delivery of the message changes nothing.
    let puts = w.h.objects.put_count();
    assert_eq!(
        block_on(w.svc.produce_audit_export(accepted.export_id, 2)).unwrap(),
        RenderOutcome::Done
    );
    assert_eq!(w.h.objects.put_count(), puts);

    // Expired with the file: no URL any more.
    w.h.clock.set(stored.expires_at.unwrap());
    let expired = block_on(w.svc.get_audit_export(&admin, accepted.export_id)).unwrap();
    assert_eq!(expired.status, JobStatus::Expired);
    assert!(expired.download_url.is_none() && expired.file.is_none());
}

#[test]
fn only_admins_request_audit_exports() {
    let w = world();
    let therapist = w.therapist_of(0);
    let e = request(&w, &therapist).unwrap_err();
    assert_eq!(e.code(), "forbidden");
    let denied = w.events(AuditAction::Denied);
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].actor_id, therapist.user_id);
    assert_eq!(denied[0].reason.as_deref(), Some("missing role admin"));
    assert!(w.events(AuditAction::AuditExported).is_empty());
    assert!(w.h.queue.take_audit_exports().is_empty());
    // Nor read them.
    let e = block_on(w.svc.get_audit_export(&therapist, Uuid::new_v4())).unwrap_err();
    assert_eq!(e.code(), "forbidden");
    // A bad range is refused before anything is recorded, as for the synchronous export.
    let backwards = AuditExportQuery {
        from: Some(w.now()),
        to: Some(w.now() - Duration::days(1)),
        ..AuditExportQuery::default()
    };
    let e = block_on(w.svc.request_audit_export(&w.admin(), &backwards)).unwrap_err();
    assert_eq!(field_of(&e), Some("to"));
    assert!(w.h.queue.take_audit_exports().is_empty());
}

#[test]
fn another_admins_audit_export_is_not_found_and_audited() {
    let w = world();
    let accepted = request(&w, &w.admin()).unwrap();
    let other = caller("admin-2", &[Role::Admin]);
    let before = w.events(AuditAction::Denied).len();
    for id in [accepted.export_id, Uuid::new_v4()] {
        let e = block_on(w.svc.get_audit_export(&other, id)).unwrap_err();
        assert_eq!(e.code(), "audit_export_not_found");
    }
    let denied = w.events(AuditAction::Denied);
    assert_eq!(denied.len(), before + 2);
    assert_eq!(denied[before].actor_id, "admin-2");
    assert_eq!(denied[before].actor_role, "admin");
    assert_eq!(
        denied[before].reason.as_deref(),
        Some(
            format!(
                "audit export {} not found or not the caller's",
                accepted.export_id
            )
            .as_str()
        )
    );
}

#[test]
fn a_failing_audit_log_is_retried_then_fails_the_export_for_good() {
    let w = world();
    let admin = w.admin();
    let accepted = request(&w, &admin).unwrap();
    w.h.audit.set_unavailable(true);
    let e = block_on(w.svc.produce_audit_export(accepted.export_id, 1)).unwrap_err();
    assert!(matches!(e, PortError::Unavailable(_)), "{e:?}");
    assert_eq!(
        w.h.audit_exports.export(accepted.export_id).unwrap().status,
        JobStatus::Pending
    );
    // The last receive the queue allows: failed, visibly.
    w.h.audit.set_unavailable(false);
    w.h.objects.set_unavailable(true);
    let last = w.svc.settings.max_receive_count;
    assert_eq!(
        block_on(w.svc.produce_audit_export(accepted.export_id, last)).unwrap(),
        RenderOutcome::Done
    );
    w.h.objects.set_unavailable(false);
    let failed = block_on(w.svc.get_audit_export(&admin, accepted.export_id)).unwrap();
    assert_eq!(failed.status, JobStatus::Failed);
    assert_eq!(failed.error.unwrap().code, "audit_export_failed");
    assert!(failed.download_url.is_none());
    assert_eq!(w.events(AuditAction::Failed).len(), 1);
}

#[test]
fn an_export_that_cannot_be_queued_is_failed_not_left_pending() {
    let w = world();
    w.h.queue.set_unavailable(true);
    let e = request(&w, &w.admin()).unwrap_err();
    assert!(matches!(e, ServiceError::Unavailable(_)), "{e:?}");
    let requested = w.events(AuditAction::AuditExported);
    let id: Uuid = requested[0].reason.as_deref().unwrap()["audit export ".len()..][..36]
        .parse()
        .unwrap();
    let stored = w.h.audit_exports.export(id).unwrap();
    assert_eq!(stored.status, JobStatus::Failed);
    assert_eq!(stored.error.unwrap().code, "queue_unavailable");
}

/// A pending audit export whose queue message was lost is queued again when its requester polls
/// it after the grace (audited `requeued`), once per grace period, and then finishes.
#[test]
fn a_lost_audit_export_is_queued_again_when_polled_after_the_grace() {
    use exports_core::job::PENDING_GRACE;
    let w = world();
    some_activity(&w);
    let admin = w.admin();
    let accepted = request(&w, &admin).unwrap();
    assert_eq!(
        w.h.queue.take_audit_exports(),
        vec![accepted.export_id],
        "then lost"
    );

    w.h.clock.advance(PENDING_GRACE - secs(1));
    let early = block_on(w.svc.get_audit_export(&admin, accepted.export_id)).unwrap();
    assert_eq!(early.status, JobStatus::Pending);
    assert!(w.h.queue.take_audit_exports().is_empty(), "not overdue yet");

    w.h.clock.advance(secs(2));
    let polled = block_on(w.svc.get_audit_export(&admin, accepted.export_id)).unwrap();
    assert_eq!(polled.status, JobStatus::Pending);
    assert_eq!(w.h.queue.take_audit_exports(), vec![accepted.export_id]);
    let requeued = w.events(AuditAction::Requeued);
    assert_eq!(requeued.len(), 1);
    assert_eq!(requeued[0].actor_id, exports_core::service::SWEEPER);
    // Queued again just now: polling again does not queue it a third time.
    block_on(w.svc.get_audit_export(&admin, accepted.export_id)).unwrap();
    assert!(w.h.queue.take_audit_exports().is_empty());

    assert_eq!(
        block_on(w.svc.produce_audit_export(accepted.export_id, 1)).unwrap(),
        RenderOutcome::Done
    );
    let done = block_on(w.svc.get_audit_export(&admin, accepted.export_id)).unwrap();
    assert_eq!(done.status, JobStatus::Completed);
    assert!(done.download_url.is_some());
}
