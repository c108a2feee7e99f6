"""Identity extras (issue 8): encrypted ID-document copies and their purge runs, partner traces,
bulk verification reports, and the reader of a CPS session (CPx mode signs on that card).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reference_lgo.migrations.append_only import guard_tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=False)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

APPEND_ONLY = ("partner_traces", "id_document_purges")


def upgrade() -> None:
    op.add_column("sessions", sa.Column("card_reader", sa.String(length=200), nullable=True))

    op.create_table(
        "id_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("type_code", sa.String(length=32), nullable=False),
        sa.Column("type_label", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("algorithm", sa.String(length=20), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", Timestamp, nullable=False),
        sa.Column("uploaded_by_login", sa.String(length=32), nullable=True),
        sa.Column("uploaded_by_name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_id_documents_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_id_documents")),
        sa.UniqueConstraint("ref", name=op.f("uq_id_documents_ref")),
    )
    op.create_index(op.f("ix_id_documents_patient_id"), "id_documents", ["patient_id"])

    op.create_table(
        "id_document_purges",
        sa.Column("id", BigId, nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("purged", sa.Integer(), nullable=False),
        sa.Column("account_login", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_id_document_purges")),
    )
    op.create_index(op.f("ix_id_document_purges_at"), "id_document_purges", ["at"])

    op.create_table(
        "partner_traces",
        sa.Column("id", BigId, nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("account_login", sa.String(length=32), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient_kind", sa.String(length=16), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_identifier", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=5), nullable=False),
        sa.Column("ins_transmitted", sa.Boolean(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_traces")),
    )
    op.create_index("ix_partner_traces_patient", "partner_traces", ["patient_id", "at"])

    op.create_table(
        "bulk_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", Timestamp, nullable=False),
        sa.Column("ended_at", Timestamp, nullable=False),
        sa.Column("account_login", sa.String(length=32), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_verifications")),
    )
    op.create_index(op.f("ix_bulk_verifications_started_at"), "bulk_verifications", ["started_at"])
    guard_tables(*APPEND_ONLY)


def downgrade() -> None:
    op.drop_table("bulk_verifications")
    op.drop_table("partner_traces")
    op.drop_table("id_document_purges")
    op.drop_table("id_documents")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("card_reader")
