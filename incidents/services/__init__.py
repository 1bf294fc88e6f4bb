"""Every change to incidents, their hospitals, patients and updates goes through here.

Each service takes keyword-only arguments, runs in one transaction, validates before it
saves (raising django.core.exceptions.ValidationError with a clear message, per field where
there is one), and appends its IncidentEvent(s) through incidents.events.append_event.
Permission checks happen in the caller through incidents/permissions.py; services trust
the actor they are given.
"""

from __future__ import annotations

from incidents.services.hospitals import (
    hospital_acknowledge,
    hospital_alert_accepted,
    hospital_answer_capacity,
    hospital_stand_down,
    hospital_standdown_acknowledge,
    incident_hospital_add,
    incident_hospital_remove,
)
from incidents.services.lifecycle import (
    REOPEN_GRACE,
    DuplicateCadNumber,
    PatientsStillOut,
    incident_close,
    incident_declare,
    incident_deescalate,
    incident_reopen,
    incident_update,
    patients_out,
)
from incidents.services.patients import (
    patient_arrive,
    patient_assign_destination,
    patient_register,
    patient_retriage,
    patient_update_details,
    patients_transport,
    walkin_register,
)
from incidents.services.updates import situation_update_mark_sent, situation_update_post

__all__ = [
    "REOPEN_GRACE",
    "DuplicateCadNumber",
    "PatientsStillOut",
    "hospital_acknowledge",
    "hospital_alert_accepted",
    "hospital_answer_capacity",
    "hospital_stand_down",
    "hospital_standdown_acknowledge",
    "incident_close",
    "incident_declare",
    "incident_deescalate",
    "incident_hospital_add",
    "incident_hospital_remove",
    "incident_reopen",
    "incident_update",
    "patient_arrive",
    "patient_assign_destination",
    "patient_register",
    "patient_retriage",
    "patient_update_details",
    "patients_out",
    "patients_transport",
    "situation_update_mark_sent",
    "situation_update_post",
    "walkin_register",
]
