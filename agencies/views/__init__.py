"""Pages for rosters, distribution lists and hospitals.

Views stay thin: reads come from agencies.queries (already scoped to the user), every change
goes through agencies.services, and the rules come from agencies.permissions. Anything the
user may not see is a 404 (so its existence does not leak); something they may see but not
change is a 403.
"""
