"""The grade ladder's two direct computations (no search): the slack of each pair of grades the registry already
breaks beyond repair, and the strongest assignment the ladder allows (the line-wise maximum of all feasible ones).

Lines are the solver's ``Line`` values; a line's ``ladder`` is (group key, grade rank), a lower rank a better grade.
"""

# Reductions and cuts are sums and products of floats; within this share they count as equal.
TOLERANCE = 1e-7


def _grades(lines):
    """{group: {rank: [line index]}} of the lines on a ladder."""
    groups = {}
    for i, line in enumerate(lines):
        if line.ladder is not None:
            groups.setdefault(line.ladder[0], {}).setdefault(line.ladder[1], []).append(i)
    return groups


def ladder_slacks(lines):
    """{(group, better rank, worse rank): slack} for consecutive grades present in each ladder group.

    A forward pass over the grades: each grade must reach the largest minimal cut of the grade above; where a worse
    line cannot reach it even at its strongest option, the pair is relaxed by that gap (and only by it).
    """
    slacks = {}
    for group, ranks in _grades(lines).items():
        above, previous = None, None
        for rank in sorted(ranks):
            members = [lines[i] for i in ranks[rank]]
            if above is None:
                minimal = [line.current for line in members]
            else:
                strongest = min(_max_cut(line) for line in members)
                slack = max(0.0, above - strongest)
                slacks[(group, previous, rank)] = slack
                need = above - slack
                minimal = [_least_at(line, need) for line in members]
            above, previous = max(minimal), rank
    return slacks


def strongest_cuts(lines, slacks):
    """[cut per line] when every line takes the strongest cut the ladder allows.

    Worst grade first: a grade's lines take their strongest option up to the smallest cut of the next worse grade
    (plus the pair's slack). The result is the line-wise maximum of all feasible assignments.
    """
    cut = {i: _max_cut(line) for i, line in enumerate(lines)}
    for group, ranks in _grades(lines).items():
        worse = None
        for rank in sorted(ranks, reverse=True):
            if worse is not None:
                cap = min(cut[i] for i in ranks[worse]) + slacks.get((group, rank, worse), 0.0)
                for i in ranks[rank]:
                    line = lines[i]
                    cut[i] = max([line.current, *(o.cut for o in line.options if o.cut <= cap + TOLERANCE)])
            worse = rank
    return [cut[i] for i in range(len(lines))]


def _max_cut(line):
    return max([line.current, *(o.cut for o in line.options)])


def _least_at(line, need):
    if line.current >= need - TOLERANCE:
        return line.current
    return min(o.cut for o in line.options if o.cut >= need - TOLERANCE)
