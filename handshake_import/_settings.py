"""The options of `reconcile` that shape a plan, once checked
(`_options.planning_settings`)."""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = ["Mode", "Settings"]

#: What a plan may do: create and update, only create, or only update.
Mode = Literal["upsert", "create-only", "update-only"]


@attrs.frozen(kw_only=True)
class Settings:
    """The options of `reconcile` that shape the plan."""

    mode: Mode = "upsert"
    max_errors: int | None = None
    mass_change_share: float = 0.5
    mass_change_minimum: int = 20
    #: an unknown paymentTerms or shippingMethod is an error on its row
    strict_options: bool = False
    #: an unknown userGroup is created (else an error on its row)
    create_user_groups: bool = True
