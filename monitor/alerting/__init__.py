"""Alerting: who is told about an incident, over which channel, and what they are told. The flow, as Alertmanager's:

1. Dispatch (dispatch.py): an opened incident joins its meeting's group; the incidents of one meeting that open
   within ``group_wait_seconds`` make one alert, routed by rule, severity and working hours (routing.py). A rule
   broken in other lessons too, whose incidents still wait, makes one alert listing every such lesson (a storm).
2. Stages that hold incidents back (stages.py), in order: cleared within the group wait, silenced, inhibited (a
   meeting-level breach already alerted speaks for the per-participant ones). Each gives its incidents its name as
   their alert_state, and nothing is sent for them.
3. Notify (notify.py): an alert record, then one delivery job per channel. A delivery that got through is not
   repeated; one worker at a time sends (a lease in Redis); the attempt is written before it is sent, so a worker
   killed mid-send leaves "outcome unknown"; RQ retries a failed job.
4. Follow-ups (dispatch.py): while its incidents are unacknowledged, an alert is repeated every ``repeat_minutes``
   and escalated after ``escalate_after_minutes``; each says so first, and what is new since the first alert.

The jobs (workers/jobs.py) call it through ``Alerting`` (service.py); the store (store.py) hands back the records of
records.py; what an alert says is content.py's, how each channel carries it channels/'s; api.py is the JSON API.
"""
