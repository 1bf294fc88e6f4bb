"""The checklist, its versions, incidents' checklists and ICS roles move here from incidents.

Their tables stay where incidents created them (each model names its db_table), so this
migration only takes them into readiness's state; incidents 0005 drops them from incidents's
state. Their content types move with them, so admin log entries and permissions (which point
at a content type) keep pointing at the same models.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = (
    "checklisttemplate",
    "checklistphase",
    "checklistitem",
    "incidentchecklist",
    "incidentchecklistitem",
    "roleassignment",
)


def _move_content_types(apps, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    taken = set(
        content_type.objects.filter(app_label=target, model__in=MODELS).values_list(
            "model", flat=True
        )
    )
    content_type.objects.filter(app_label=source, model__in=set(MODELS) - taken).update(
        app_label=target
    )
    content_type.objects.clear_cache()


def content_types_to_readiness(apps, schema_editor) -> None:
    _move_content_types(apps, "incidents", "readiness")


def content_types_to_incidents(apps, schema_editor) -> None:
    _move_content_types(apps, "readiness", "incidents")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("agencies", "0004_hospital_paediatric_trauma"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("incidents", "0004_ringdown_and_population"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ChecklistPhase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField()),
                        ('title', models.CharField(max_length=160)),
                    ],
                    options={
                        'db_table': 'incidents_checklistphase',
                        'ordering': ['template', 'position'],
                    },
                ),
                migrations.CreateModel(
                    name='ChecklistItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField()),
                        ('text', models.CharField(max_length=300)),
                        ('disciplines', models.JSONField(default=list, help_text='ChecklistDiscipline values.')),
                        ('owner_role', models.CharField(blank=True, choices=[('unified_command', 'Unified command'), ('law_command', 'Law enforcement command'), ('fire_ems_command', 'Fire / EMS command'), ('staging', 'Staging'), ('rescue_task_force', 'Rescue task force'), ('casualty_collection_point', 'Casualty collection point'), ('triage', 'Triage'), ('treatment', 'Treatment'), ('transport', 'Transport'), ('pio', 'Public information officer'), ('reunification', 'Reunification'), ('em_liaison', 'EM liaison'), ('hospital_liaison', 'Hospital liaison')], max_length=30)),
                        ('phase', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='readiness.checklistphase')),
                    ],
                    options={
                        'db_table': 'incidents_checklistitem',
                        'ordering': ['phase', 'position'],
                    },
                ),
                migrations.CreateModel(
                    name='ChecklistTemplate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.PositiveIntegerField()),
                        ('name', models.CharField(max_length=160)),
                        ('description', models.TextField(blank=True)),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('adopted', 'Adopted'), ('retired', 'Retired')], default='draft', max_length=10)),
                        ('created_at', models.DateTimeField()),
                        ('updated_at', models.DateTimeField()),
                        ('adopted_at', models.DateTimeField(blank=True, null=True)),
                        ('retired_at', models.DateTimeField(blank=True, null=True)),
                        ('adopted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('based_on', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='readiness.checklisttemplate')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='checklists', to='agencies.region')),
                    ],
                    options={
                        'db_table': 'incidents_checklisttemplate',
                        'ordering': ['region', '-version'],
                    },
                ),
                migrations.AddField(
                    model_name='checklistphase',
                    name='template',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='phases', to='readiness.checklisttemplate'),
                ),
                migrations.CreateModel(
                    name='IncidentChecklist',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('started_at', models.DateTimeField()),
                        ('incident', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='checklist', to='incidents.incident')),
                        ('template', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='incident_checklists', to='readiness.checklisttemplate')),
                    ],
                    options={
                        'db_table': 'incidents_incidentchecklist',
                    },
                ),
                migrations.CreateModel(
                    name='IncidentChecklistItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('phase_position', models.PositiveSmallIntegerField()),
                        ('phase_title', models.CharField(max_length=160)),
                        ('position', models.PositiveSmallIntegerField()),
                        ('text', models.CharField(max_length=300)),
                        ('disciplines', models.JSONField(default=list)),
                        ('owner_role', models.CharField(blank=True, choices=[('unified_command', 'Unified command'), ('law_command', 'Law enforcement command'), ('fire_ems_command', 'Fire / EMS command'), ('staging', 'Staging'), ('rescue_task_force', 'Rescue task force'), ('casualty_collection_point', 'Casualty collection point'), ('triage', 'Triage'), ('treatment', 'Treatment'), ('transport', 'Transport'), ('pio', 'Public information officer'), ('reunification', 'Reunification'), ('em_liaison', 'EM liaison'), ('hospital_liaison', 'Hospital liaison')], max_length=30)),
                        ('done', models.BooleanField(default=False)),
                        ('checked_at', models.DateTimeField(blank=True, null=True)),
                        ('checked_by_label', models.CharField(blank=True, max_length=160)),
                        ('changed_at', models.DateTimeField(blank=True, null=True)),
                        ('changed_by_label', models.CharField(blank=True, max_length=160)),
                        ('checked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('checklist', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='readiness.incidentchecklist')),
                        ('source', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='readiness.checklistitem')),
                    ],
                    options={
                        'db_table': 'incidents_incidentchecklistitem',
                        'ordering': ['checklist', 'phase_position', 'position'],
                    },
                ),
                migrations.CreateModel(
                    name='RoleAssignment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('unified_command', 'Unified command'), ('law_command', 'Law enforcement command'), ('fire_ems_command', 'Fire / EMS command'), ('staging', 'Staging'), ('rescue_task_force', 'Rescue task force'), ('casualty_collection_point', 'Casualty collection point'), ('triage', 'Triage'), ('treatment', 'Treatment'), ('transport', 'Transport'), ('pio', 'Public information officer'), ('reunification', 'Reunification'), ('em_liaison', 'EM liaison'), ('hospital_liaison', 'Hospital liaison')], max_length=30)),
                        ('name', models.CharField(help_text="The holder's name as shown.", max_length=160)),
                        ('agency_name', models.CharField(help_text="The holder's agency as shown.", max_length=160)),
                        ('note', models.CharField(blank=True, help_text="e.g. 'RTF 2, east entrance', a radio channel.", max_length=120)),
                        ('assigned_at', models.DateTimeField()),
                        ('relieved_at', models.DateTimeField(blank=True, null=True)),
                        ('relieved_reason', models.CharField(blank=True, max_length=200)),
                        ('agency', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency')),
                        ('assigned_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('incident', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='role_assignments', to='incidents.incident')),
                        ('member', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.member')),
                        ('relieved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'incidents_roleassignment',
                        'ordering': ['incident', 'assigned_at', 'id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='checklistitem',
                    constraint=models.UniqueConstraint(fields=('phase', 'position'), name='checklist_item_position'),
                ),
                migrations.AddConstraint(
                    model_name='checklisttemplate',
                    constraint=models.UniqueConstraint(fields=('region', 'version'), name='checklist_version_once'),
                ),
                migrations.AddConstraint(
                    model_name='checklisttemplate',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'adopted')), fields=('region',), name='checklist_one_adopted'),
                ),
                migrations.AddConstraint(
                    model_name='checklisttemplate',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'draft')), fields=('region',), name='checklist_one_draft'),
                ),
                migrations.AddConstraint(
                    model_name='checklistphase',
                    constraint=models.UniqueConstraint(fields=('template', 'position'), name='checklist_phase_position'),
                ),
                migrations.AddConstraint(
                    model_name='incidentchecklistitem',
                    constraint=models.UniqueConstraint(fields=('checklist', 'phase_position', 'position'), name='incident_checklist_item_position'),
                ),
                migrations.AddIndex(
                    model_name='roleassignment',
                    index=models.Index(fields=['incident', 'relieved_at'], name='incidents_r_inciden_ced659_idx'),
                ),
                migrations.AddConstraint(
                    model_name='roleassignment',
                    constraint=models.UniqueConstraint(condition=models.Q(('relieved_at__isnull', True), models.Q(('role', 'rescue_task_force'), _negated=True)), fields=('incident', 'role'), name='role_one_current_holder'),
                ),
            ],
        ),
        migrations.RunPython(content_types_to_readiness, content_types_to_incidents),
    ]
