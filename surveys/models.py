"""Questionnaires, invitations and reminder chains live here (the surveys issue)."""
