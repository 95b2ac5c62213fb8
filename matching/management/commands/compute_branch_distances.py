"""Recompute the distances between branches from their coordinates."""

import time

from django.core.management.base import BaseCommand

from matching.distances import compute_branch_distances


class Command(BaseCommand):
    help = "Fill the branch-to-branch distance table from the branches' coordinates."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = compute_branch_distances()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{count} distances in {elapsed:.1f} s")
