#pragma once
// The three sides of a three-way merge of a few files between the current branch and another:
// each file as it is at the merge base (the newest common ancestor), at HEAD ("ours") and at the
// other branch's tip ("theirs"). core/pipeline merges dvc.yaml and params.yaml from these per
// stage and per param; git merges everything else.

#include "core/common/status.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace orrery::vcs {

class Repository;

struct MergeSide {
    std::optional<QByteArray> base, ours, theirs; // nullopt: the file does not exist there
};

struct MergeSides {
    QString baseCommit, oursCommit, theirsCommit; // 40 hex digits
    QVector<std::pair<QString, MergeSide>> files; // path → sides, in the order asked
};

// `theirs` is a branch name, tag or commit ("feature", "origin/main", a hash). NotFound when it
// does not resolve; FailedPrecondition when the histories share no commit or HEAD is unborn.
Result<MergeSides> readMergeSides(const Repository &repo, const QString &theirs, const QStringList &paths);

// Whether the work tree's copy of `path` differs from HEAD's (or is untracked/new).
Result<bool> differsFromHead(const Repository &repo, const QString &path);

} // namespace orrery::vcs
