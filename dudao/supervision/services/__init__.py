"""Every write of the supervision app, one module per matter:
engagements (and their agreements), sessions (records, confirmation, disputes,
sign-off), coverage (need against supply, supervisee types), matching (ranked
candidates), practice (the supervisors' own frontline hours), assessments."""
