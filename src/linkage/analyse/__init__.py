"""Stage 4 of the pipeline: Project Empra's questions, each a function over the network returning a table.

- ``crossover.operation_crossover``: operations sharing victims, perpetrators, locations;
- ``clusters.clusters``: groups of tied people, ranked by an explained risk score;
- ``care_moves.care_moves`` / ``care_move_cohort`` / ``care_move_counterfactual``: care-move network growth;
- ``reach.reach``: victim against perpetrator networks across BCU and force boundaries;
- ``missing.missing_links`` / ``missing_profile``: children missing together, repeat missing, found places;
- ``businesses.business_targets``: businesses for Genga co-ordinators, with the evidence;
- ``key_people.key_people``: brokers and the vulnerable-person pattern;
- ``candidates.candidate_links``: ties nobody has recorded, for intelligence development.

Each takes the network first (a built ``Network``, or the ``core.NetworkView``
the job builds once and passes to every analysis) and its options as
keywords. What they share is ``core``, imported by its public names only:
the view, the ties between people, facts about people, table helpers. The
graph algorithms are ``linkage.graph``.

Each module's ``REQUIRES`` names the input tables it needs; the job skips an
analysis whose tables are absent, with a note.
"""
