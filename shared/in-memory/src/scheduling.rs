//! In-memory templates, schedules and mailer, with the DynamoDB/SES adapters' semantics:
//! conditional writes, the uniqueness key, the sparse due index, and a switch to fail.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{lock, unavailable};
use exports_core::ports::{
    Mailer, OutgoingEmail, PortError, ScheduleStore, TemplateCursor, TemplatePage, TemplateStore,
};
use exports_core::scheduled_report::ScheduledReport;
use exports_core::template::ExportTemplate;

/// A [`TemplateStore`] in memory.
#[derive(Debug, Default)]
pub struct InMemoryTemplates {
    templates: Mutex<HashMap<Uuid, ExportTemplate>>,
}

impl InMemoryTemplates {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn count(&self) -> usize {
        lock(&self.templates).len()
    }
}

#[async_trait]
impl TemplateStore for InMemoryTemplates {
    async fn create(&self, template: &ExportTemplate) -> Result<(), PortError> {
        let mut all = lock(&self.templates);
        if all.contains_key(&template.template_id) {
            return Err(PortError::Conflict("template exists".into()));
        }
        all.insert(template.template_id, template.clone());
        Ok(())
    }

    async fn replace(&self, template: &ExportTemplate) -> Result<(), PortError> {
        let mut all = lock(&self.templates);
        match all.get_mut(&template.template_id) {
            Some(t) => {
                *t = template.clone();
                Ok(())
            }
            None => Err(PortError::Conflict("template is gone".into())),
        }
    }

    async fn get(&self, template_id: Uuid) -> Result<Option<ExportTemplate>, PortError> {
        Ok(lock(&self.templates).get(&template_id).cloned())
    }

    async fn list_for_owner(
        &self,
        owner_id: &str,
        after: Option<&TemplateCursor>,
        limit: usize,
    ) -> Result<TemplatePage, PortError> {
        let mut own: Vec<ExportTemplate> = lock(&self.templates)
            .values()
            .filter(|t| t.owner_id.as_deref() == Some(owner_id))
            .cloned()
            .collect();
        own.sort_by_key(|t| (t.created_at, t.template_id));
        let start = after.map_or(0, |c| {
            own.partition_point(|t| (t.created_at, t.template_id) <= (c.created_at, c.template_id))
        });
        let rest = &own[start..];
        let templates: Vec<ExportTemplate> = rest.iter().take(limit).cloned().collect();
        let next = (rest.len() > limit)
            .then(|| templates.last())
            .flatten()
            .map(|t| TemplateCursor {
                created_at: t.created_at,
                template_id: t.template_id,
            });
        Ok(TemplatePage { templates, next })
    }

    async fn delete(&self, template_id: Uuid) -> Result<(), PortError> {
        lock(&self.templates).remove(&template_id);
        Ok(())
    }
}

#[derive(Debug, Default)]
struct SchedulesState {
    schedules: HashMap<Uuid, ScheduledReport>,
    /// Uniqueness key → schedule id.
    keys: HashMap<String, Uuid>,
}

/// A [`ScheduleStore`] in memory.
#[derive(Debug, Default)]
pub struct InMemorySchedules {
    state: Mutex<SchedulesState>,
    unavailable: AtomicBool,
}

impl InMemorySchedules {
    pub fn new() -> Self {
        Self::default()
    }

    /// The stored schedule, to inspect.
    pub fn stored(&self, schedule_id: Uuid) -> Option<ScheduledReport> {
        lock(&self.state).schedules.get(&schedule_id).cloned()
    }

    /// Every call fails with [`PortError::Unavailable`] while on.
    pub fn set_unavailable(&self, on: bool) {
        self.unavailable.store(on, Ordering::SeqCst);
    }

    fn check(&self) -> Result<(), PortError> {
        if self.unavailable.load(Ordering::SeqCst) {
            Err(unavailable("schedules table"))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl ScheduleStore for InMemorySchedules {
    async fn create(&self, schedule: &ScheduledReport) -> Result<(), PortError> {
        self.check()?;
        let mut state = lock(&self.state);
        let key = schedule.uniqueness_key();
        if state.keys.contains_key(&key) || state.schedules.contains_key(&schedule.schedule_id) {
            return Err(PortError::Conflict("schedule exists".into()));
        }
        state.keys.insert(key, schedule.schedule_id);
        state
            .schedules
            .insert(schedule.schedule_id, schedule.clone());
        Ok(())
    }

    async fn get(&self, schedule_id: Uuid) -> Result<Option<ScheduledReport>, PortError> {
        self.check()?;
        Ok(lock(&self.state).schedules.get(&schedule_id).cloned())
    }

    async fn list_for_user(&self, user_id: &str) -> Result<Vec<ScheduledReport>, PortError> {
        self.check()?;
        let mut mine: Vec<ScheduledReport> = lock(&self.state)
            .schedules
            .values()
            .filter(|s| s.user_id == user_id)
            .cloned()
            .collect();
        mine.sort_by_key(|s| (s.created_at, s.schedule_id));
        Ok(mine)
    }

    async fn update(&self, schedule: &ScheduledReport) -> Result<(), PortError> {
        self.check()?;
        let mut state = lock(&self.state);
        match state.schedules.get_mut(&schedule.schedule_id) {
            Some(stored) if stored.version + 1 == schedule.version => {
                *stored = schedule.clone();
                Ok(())
            }
            _ => Err(PortError::Conflict("schedule changed".into())),
        }
    }

    async fn delete(&self, schedule: &ScheduledReport) -> Result<(), PortError> {
        self.check()?;
        let mut state = lock(&self.state);
        match state.schedules.get(&schedule.schedule_id) {
            Some(stored) if stored.version == schedule.version => {
                state.schedules.remove(&schedule.schedule_id);
                state.keys.remove(&schedule.uniqueness_key());
                Ok(())
            }
            Some(_) => Err(PortError::Conflict("schedule changed".into())),
            None => Ok(()),
        }
    }

    async fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ScheduledReport>, PortError> {
        self.check()?;
        let by_due: BTreeMap<(DateTime<Utc>, Uuid), ScheduledReport> = lock(&self.state)
            .schedules
            .values()
            .filter(|s| s.active && s.due_at <= now)
            .map(|s| ((s.due_at, s.schedule_id), s.clone()))
            .collect();
        Ok(by_due.into_values().take(limit).collect())
    }
}

/// A [`Mailer`] that keeps what it sends.
#[derive(Debug, Default)]
pub struct InMemoryMailer {
    sent: Mutex<Vec<OutgoingEmail>>,
    failing: AtomicBool,
    attempts: AtomicUsize,
}

impl InMemoryMailer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn sent(&self) -> Vec<OutgoingEmail> {
        lock(&self.sent).clone()
    }

    /// Sends (successful or not) attempted so far.
    pub fn attempts(&self) -> usize {
        self.attempts.load(Ordering::SeqCst)
    }

    /// Every send fails, like SES refusing or unreachable, while on.
    pub fn set_failing(&self, on: bool) {
        self.failing.store(on, Ordering::SeqCst);
    }
}

#[async_trait]
impl Mailer for InMemoryMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, PortError> {
        let n = self.attempts.fetch_add(1, Ordering::SeqCst);
        if self.failing.load(Ordering::SeqCst) {
            return Err(unavailable("mailer"));
        }
        lock(&self.sent).push(email.clone());
        Ok(format!("memory-message-{n}"))
    }
}
