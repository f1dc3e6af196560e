"""Fødselsnummer of the demo citizens the tests report cases for."""

from __future__ import annotations

KARI = "15058510170"  # has the login ``innbygger``
OLA = "23074820085"
EMMA = "02031250032"  # born 2 March 2012: under 16 at T0, no login
PER = "11039930090"
