"""Every read of the evaluation app, one module per matter: cycles and their
indicators, service results, the parties' scoring, results (compute, publish and
their consequences), appeals, renewals."""
