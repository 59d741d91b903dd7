//! The sweeper (run by the scheduler's tick): exports whose queue message was lost are queued
//! again once overdue, or failed once their attempts are used up; every action audited. And the
//! tick's audit of a scheduled run taken up again after its lease lapsed.

use chrono::Duration;
use uuid::Uuid;

use crate::{World, block_on, secs, world};
use exports_core::audit::AuditAction;
use exports_core::export::{ExportType, JobStatus};
use exports_core::job::{LEASE_GRACE, PENDING_GRACE};
use exports_core::ports::{JobStore, Lease};
use exports_core::service::{RenderOutcome, SWEEPER, SweepSummary};

fn sweep(w: &World) -> SweepSummary {
    block_on(w.svc.sweep_stuck_jobs()).expect("sweep")
}

fn advance(w: &World, by: Duration) {
    w.h.clock.set(w.now() + by);
}

#[test]
fn a_job_whose_queue_message_was_lost_is_queued_again_once_overdue_and_audited() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::ProgressReport);
    // The message never reaches a renderer (lost between the write and the send).
    assert_eq!(w.h.queue.take(), vec![job.job_id]);

    advance(&w, PENDING_GRACE - secs(1));
    assert_eq!(sweep(&w), SweepSummary::default(), "not overdue yet");
    assert!(w.h.queue.take().is_empty());

    advance(&w, secs(2));
    assert_eq!(
        sweep(&w),
        SweepSummary {
            requeued: 1,
            abandoned: 0
        }
    );
    assert_eq!(w.h.queue.peek(), vec![job.job_id], "queued again");
    let events = w.events(AuditAction::Requeued);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(
        (e.actor_id.as_str(), e.actor_role.as_str()),
        (SWEEPER, "system")
    );
    assert_eq!(
        (e.job_id, e.patient_id),
        (Some(job.job_id), Some(job.patient_id))
    );

    // Queued again just now: the next sweep leaves it alone.
    assert_eq!(sweep(&w), SweepSummary::default());
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    assert_eq!(
        w.get(&who, job.job_id).unwrap().status,
        JobStatus::Completed
    );
    // Finished jobs are never swept.
    advance(&w, Duration::days(1));
    assert_eq!(sweep(&w), SweepSummary::default());
    assert_eq!(w.events(AuditAction::Requeued).len(), 1);
}

#[test]
fn a_job_whose_renderer_stopped_is_queued_again_after_its_lease_and_the_grace() {
    let w = world();
    let (who, job) = w.requested(1, ExportType::SessionNotes);
    w.h.queue.take();
    // A renderer claims it and dies holding the lease; its message is gone.
    let lease = Lease {
        token: Uuid::from_u128(9),
        now: w.now(),
        until: w.now() + secs(120),
    };
    assert!(
        block_on(w.h.jobs.claim(job.job_id, lease))
            .unwrap()
            .is_some()
    );

    // Overdue LEASE_GRACE after its lease ends (SQS would have delivered the message again).
    advance(&w, secs(120) + LEASE_GRACE - secs(1));
    assert_eq!(sweep(&w), SweepSummary::default(), "not overdue yet");
    advance(&w, secs(2));
    assert_eq!(sweep(&w).requeued, 1);
    assert_eq!(w.h.queue.peek(), vec![job.job_id]);
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    let done = w.get(&who, job.job_id).unwrap();
    assert_eq!(done.status, JobStatus::Completed);
}

#[test]
fn a_stalled_job_that_used_up_its_attempts_fails_as_abandoned() {
    let w = world();
    let (who, job) = w.requested(2, ExportType::FullRecord);
    w.h.queue.take();
    for attempt in 0..w.svc.settings.max_receive_count {
        let lease = Lease {
            token: Uuid::from_u128(u128::from(attempt) + 1),
            now: w.now(),
            until: w.now() + secs(120),
        };
        assert!(
            block_on(w.h.jobs.claim(job.job_id, lease))
                .unwrap()
                .is_some()
        );
        advance(&w, secs(121));
    }
    advance(&w, LEASE_GRACE);
    assert_eq!(
        sweep(&w),
        SweepSummary {
            requeued: 0,
            abandoned: 1
        }
    );
    let failed = w.get(&who, job.job_id).unwrap();
    assert_eq!(failed.status, JobStatus::Failed);
    assert_eq!(failed.error.unwrap().code, "abandoned");
    let events = w.events(AuditAction::Failed);
    assert!(
        events
            .iter()
            .any(|e| e.actor_id == SWEEPER && e.job_id == Some(job.job_id)),
        "{events:?}"
    );
    assert!(w.h.queue.take().is_empty(), "nothing queued for it");
}

#[test]
fn a_sweep_that_cannot_reach_the_jobs_table_fails_and_changes_nothing() {
    let w = world();
    let (_, job) = w.requested(0, ExportType::TreatmentSummary);
    w.h.queue.take();
    advance(&w, PENDING_GRACE + secs(1));
    w.h.jobs.set_unavailable(true);
    assert!(block_on(w.svc.sweep_stuck_jobs()).is_err());
    w.h.jobs.set_unavailable(false);
    assert!(w.h.queue.take().is_empty());
    assert_eq!(w.stored(job.job_id).status, JobStatus::Pending);
    // The next tick's sweep takes it up.
    assert_eq!(sweep(&w).requeued, 1);
}
