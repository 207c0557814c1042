"""Planning: the least-cost target solver.

``candidates`` reads the list at a level into what the solver may change; ``solver`` is the pure mixed-integer
program (scipy.optimize.milp, HiGHS) and ``ladder`` its two direct computations on the grade ladder; ``proposal``
makes a proposal with its totals and fingerprint and accepts all or part of it through the normal line edit;
``sheets`` prints it and writes it as a workbook.
"""
