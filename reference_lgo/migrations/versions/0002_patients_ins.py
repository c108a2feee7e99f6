"""Patient identities (RNIV): patients, status history, identity documents, INSi answers waiting
to be integrated, and the two append-only INS journals (accesses to an INS, INSi calls).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reference_lgo.migrations.append_only import guard_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Timestamps are stored as naive UTC (models.base.UtcDateTime adds the zone back).
Timestamp = sa.DateTime(timezone=False)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

APPEND_ONLY = ("ins_access_journal", "insi_call_journal", "patient_status_changes")


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("birth_name", sa.String(length=100), nullable=False),
        sa.Column("first_names", sa.JSON(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.String(length=10), nullable=False),
        sa.Column("birth_place", sa.String(length=5), nullable=True),
        sa.Column("used_name", sa.String(length=100), nullable=True),
        sa.Column("used_first_name", sa.String(length=100), nullable=True),
        sa.Column("matricule", sa.String(length=15), nullable=True),
        sa.Column("oid", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=5), nullable=False),
        sa.Column("douteuse", sa.Boolean(), nullable=False),
        sa.Column("fictive", sa.Boolean(), nullable=False),
        sa.Column("homonyme", sa.Boolean(), nullable=False),
        sa.Column("search_keys", sa.Text(), nullable=False),
        sa.Column("source_ref", sa.String(length=64), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("source_ref", name=op.f("uq_patients_source_ref")),
    )
    op.create_index("ix_patients_birth_date", "patients", ["birth_date"])
    op.create_index("ix_patients_matricule", "patients", ["matricule"])

    op.create_table(
        "patient_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("old", sa.String(length=5), nullable=True),
        sa.Column("new", sa.String(length=5), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("author_login", sa.String(length=32), nullable=True),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_status_changes_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_status_changes")),
    )
    op.create_index(op.f("ix_patient_status_changes_patient_id"), "patient_status_changes", ["patient_id"])

    op.create_table(
        "patient_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("type_code", sa.String(length=32), nullable=False),
        sa.Column("type_label", sa.String(length=100), nullable=False),
        sa.Column("high_trust", sa.Boolean(), nullable=False),
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.Column("validating", sa.Boolean(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", Timestamp, nullable=False),
        sa.Column("recorded_by_login", sa.String(length=32), nullable=True),
        sa.Column("recorded_by_name", sa.String(length=200), nullable=False),
        sa.Column("withdrawn_at", Timestamp, nullable=True),
        sa.Column("withdrawn_by_login", sa.String(length=32), nullable=True),
        sa.Column("withdraw_reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_evidence_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_evidence")),
    )
    op.create_index(op.f("ix_patient_evidence_patient_id"), "patient_evidence", ["patient_id"])

    op.create_table(
        "insi_candidates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("patient_version", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("matricule", sa.String(length=15), nullable=False),
        sa.Column("oid", sa.String(length=64), nullable=False),
        sa.Column("traits", sa.JSON(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("consumed_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_insi_candidates_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insi_candidates")),
    )
    op.create_index(op.f("ix_insi_candidates_patient_id"), "insi_candidates", ["patient_id"])

    op.create_table(
        "ins_access_journal",
        sa.Column("id", BigId, nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("account_login", sa.String(length=32), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("matricule", sa.String(length=15), nullable=False),
        sa.Column("oid", sa.String(length=64), nullable=False),
        sa.Column("shown", sa.Boolean(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ins_access_journal")),
    )
    op.create_index("ix_ins_access_journal_patient", "ins_access_journal", ["patient_id", "at"])

    op.create_table(
        "insi_call_journal",
        sa.Column("id", BigId, nullable=False),
        sa.Column("exchange_id", sa.String(length=36), nullable=False),
        sa.Column("call_group", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("account_login", sa.String(length=32), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("credential", sa.String(length=16), nullable=False),
        sa.Column("credential_detail", sa.String(length=64), nullable=True),
        sa.Column("endpoint", sa.String(length=300), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=False),
        sa.Column("started_at", Timestamp, nullable=False),
        sa.Column("ended_at", Timestamp, nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("code_cr", sa.String(length=2), nullable=True),
        sa.Column("libelle_cr", sa.String(length=200), nullable=True),
        sa.Column("matricule_returned", sa.String(length=15), nullable=True),
        sa.Column("oid", sa.String(length=64), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("traits", sa.JSON(), nullable=True),
        sa.Column("fault_code", sa.String(length=100), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("result", sa.String(length=2), nullable=True),
        sa.Column("verdict", sa.String(length=40), nullable=True),
        sa.Column("request", sa.LargeBinary(), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=True),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("response_sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insi_call_journal")),
        sa.UniqueConstraint("exchange_id", name=op.f("uq_insi_call_journal_exchange_id")),
    )
    op.create_index("ix_insi_call_journal_patient", "insi_call_journal", ["patient_id", "started_at"])
    guard_tables(*APPEND_ONLY)


def downgrade() -> None:
    op.drop_table("insi_call_journal")
    op.drop_table("ins_access_journal")
    op.drop_table("insi_candidates")
    op.drop_table("patient_evidence")
    op.drop_table("patient_status_changes")
    op.drop_table("patients")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS lgo_journal_append_only()")
