"""The checklist, its versions, incidents' checklists and ICS roles now belong to readiness
(readiness 0001 takes them into its state over the same tables): drop them from incidents's
state only, the tables and their rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0004_ringdown_and_population"),
        ("readiness", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='incidentchecklistitem',
                    name='source',
                ),
                migrations.RemoveField(
                    model_name='checklistphase',
                    name='template',
                ),
                migrations.RemoveField(
                    model_name='checklisttemplate',
                    name='adopted_by',
                ),
                migrations.RemoveField(
                    model_name='checklisttemplate',
                    name='based_on',
                ),
                migrations.RemoveField(
                    model_name='checklisttemplate',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='checklisttemplate',
                    name='region',
                ),
                migrations.RemoveField(
                    model_name='incidentchecklist',
                    name='template',
                ),
                migrations.RemoveField(
                    model_name='incidentchecklist',
                    name='incident',
                ),
                migrations.RemoveField(
                    model_name='incidentchecklistitem',
                    name='checklist',
                ),
                migrations.RemoveField(
                    model_name='incidentchecklistitem',
                    name='checked_by',
                ),
                migrations.RemoveField(
                    model_name='roleassignment',
                    name='agency',
                ),
                migrations.RemoveField(
                    model_name='roleassignment',
                    name='assigned_by',
                ),
                migrations.RemoveField(
                    model_name='roleassignment',
                    name='incident',
                ),
                migrations.RemoveField(
                    model_name='roleassignment',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='roleassignment',
                    name='relieved_by',
                ),
                migrations.DeleteModel(
                    name='ChecklistItem',
                ),
                migrations.DeleteModel(
                    name='ChecklistPhase',
                ),
                migrations.DeleteModel(
                    name='ChecklistTemplate',
                ),
                migrations.DeleteModel(
                    name='IncidentChecklist',
                ),
                migrations.DeleteModel(
                    name='IncidentChecklistItem',
                ),
                migrations.DeleteModel(
                    name='RoleAssignment',
                ),
            ],
        ),
    ]
