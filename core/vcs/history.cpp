#include "core/vcs/history.h"

#include "core/vcs/repository.h"

#include <QSet>

#include <git2.h>

namespace orrery::vcs {
namespace {

Status gitError(const QString &what)
{
    const git_error *e = git_error_last();
    return ioError(QStringLiteral("%1: %2").arg(what, e && e->message ? QString::fromUtf8(e->message) : QStringLiteral("unknown libgit2 error")));
}

QString oidHex(const git_oid *oid)
{
    char hex[GIT_OID_HEXSZ + 1] = {0};
    git_oid_tostr(hex, sizeof hex, oid);
    return QString::fromLatin1(hex);
}

// The blob id of `path` in `tree`, or a zero oid when it is not there.
bool blobIdAt(git_tree *tree, const QString &path, git_oid *out)
{
    git_tree_entry *entry = nullptr;
    if (git_tree_entry_bypath(&entry, tree, path.toUtf8().constData()) != 0)
        return false;
    const bool isBlob = git_tree_entry_type(entry) == GIT_OBJECT_BLOB;
    if (isBlob)
        git_oid_cpy(out, git_tree_entry_id(entry));
    git_tree_entry_free(entry);
    return isBlob;
}

} // namespace

Result<QByteArray> readFileAt(const Repository &repo, const QString &revision, const QString &path)
{
    git_object *obj = nullptr;
    const QByteArray spec = (revision + QLatin1Char(':') + path).toUtf8();
    if (git_revparse_single(&obj, repo.handle(), spec.constData()) != 0)
        return notFound(QStringLiteral("%1 does not exist at %2").arg(path, revision));
    if (git_object_type(obj) != GIT_OBJECT_BLOB) {
        git_object_free(obj);
        return invalidArgument(QStringLiteral("%1 at %2 is a folder, not a file").arg(path, revision));
    }
    const auto *blob = reinterpret_cast<git_blob *>(obj);
    QByteArray content(static_cast<const char *>(git_blob_rawcontent(blob)), qsizetype(git_blob_rawsize(blob)));
    git_object_free(obj);
    return content;
}

Result<QVector<std::pair<QString, QByteArray>>> filesAt(const Repository &repo, const QString &revision,
                                                        const std::function<bool(const QString &)> &wanted)
{
    git_object *obj = nullptr;
    if (git_revparse_single(&obj, repo.handle(), (revision + QStringLiteral("^{tree}")).toUtf8().constData()) != 0)
        return notFound(QStringLiteral("'%1' is not a revision of this repository").arg(revision));
    auto *tree = reinterpret_cast<git_tree *>(obj);
    struct Context {
        const Repository &repo;
        const std::function<bool(const QString &)> &wanted;
        QVector<std::pair<QString, QByteArray>> files;
    } ctx{repo, wanted, {}};
    git_tree_walk(tree, GIT_TREEWALK_PRE, [](const char *root, const git_tree_entry *entry, void *payload) -> int {
        auto &c = *static_cast<Context *>(payload);
        if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
            return 0;
        const QString path = QString::fromUtf8(root) + QString::fromUtf8(git_tree_entry_name(entry));
        if (!c.wanted(path))
            return 0;
        git_blob *blob = nullptr;
        if (git_blob_lookup(&blob, c.repo.handle(), git_tree_entry_id(entry)) != 0)
            return 0;
        c.files.append({path, QByteArray(static_cast<const char *>(git_blob_rawcontent(blob)), qsizetype(git_blob_rawsize(blob)))});
        git_blob_free(blob);
        return 0;
    }, &ctx);
    git_object_free(obj);
    return ctx.files;
}

Result<QVector<CommitInfo>> commitsTouching(const Repository &repo, const QString &path, int limit)
{
    QVector<CommitInfo> commits;
    if (repo.isHeadUnborn())
        return commits;
    git_revwalk *walk = nullptr;
    if (git_revwalk_new(&walk, repo.handle()) != 0)
        return gitError(QStringLiteral("cannot walk history"));
    // Children before parents, then newest first: commits made within one second (a script, a
    // pipeline committing its .dvc files) keep their order, which time alone cannot say.
    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
    if (git_revwalk_push_head(walk) != 0) {
        git_revwalk_free(walk);
        return gitError(QStringLiteral("cannot read HEAD"));
    }
    git_oid id;
    while (commits.size() < limit && git_revwalk_next(&id, walk) == 0) {
        git_commit *commit = nullptr;
        if (git_commit_lookup(&commit, repo.handle(), &id) != 0)
            continue;
        git_tree *tree = nullptr;
        git_commit_tree(&tree, commit);
        git_oid here;
        const bool present = tree && blobIdAt(tree, path, &here);
        bool changed = present;
        if (present && git_commit_parentcount(commit) > 0) {
            git_commit *parent = nullptr;
            git_tree *parentTree = nullptr;
            git_oid before;
            if (git_commit_parent(&parent, commit, 0) == 0 && git_commit_tree(&parentTree, parent) == 0)
                changed = !blobIdAt(parentTree, path, &before) || !git_oid_equal(&before, &here);
            git_tree_free(parentTree);
            git_commit_free(parent);
        }
        if (changed) {
            const git_signature *author = git_commit_author(commit);
            commits.append({oidHex(&id), QString::fromUtf8(git_commit_summary(commit)),
                            author ? QString::fromUtf8(author->name) : QString(),
                            QDateTime::fromSecsSinceEpoch(git_commit_time(commit), Qt::UTC)});
        }
        git_tree_free(tree);
        git_commit_free(commit);
    }
    git_revwalk_free(walk);
    return commits;
}

Status forEachVersionedFile(const Repository &repo, const std::function<bool(const QString &)> &wanted,
                            const std::function<Status(const QString &, const QByteArray &)> &visit)
{
    if (repo.isHeadUnborn())
        return Status::ok();
    git_revwalk *walk = nullptr;
    if (git_revwalk_new(&walk, repo.handle()) != 0)
        return gitError(QStringLiteral("cannot walk history"));
    struct FreeWalk {
        git_revwalk *w;
        ~FreeWalk() { git_revwalk_free(w); }
    } freeWalk{walk};
    // Every branch and tag (tags peel to their commits), and HEAD even when detached.
    if (git_revwalk_push_glob(walk, "refs/heads/*") != 0 || git_revwalk_push_head(walk) != 0)
        return gitError(QStringLiteral("cannot read the branches"));
    (void)git_revwalk_push_glob(walk, "refs/tags/*");

    QSet<QByteArray> seenTrees;
    QSet<QByteArray> seenBlobs;
    struct Context {
        const Repository &repo;
        const std::function<bool(const QString &)> &wanted;
        const std::function<Status(const QString &, const QByteArray &)> &visit;
        QSet<QByteArray> &seenBlobs;
        Status status;
    } ctx{repo, wanted, visit, seenBlobs, Status::ok()};

    git_oid id;
    while (git_revwalk_next(&id, walk) == 0) {
        git_commit *commit = nullptr;
        if (git_commit_lookup(&commit, repo.handle(), &id) != 0)
            continue;
        git_tree *tree = nullptr;
        if (git_commit_tree(&tree, commit) == 0) {
            const QByteArray treeKey(reinterpret_cast<const char *>(git_tree_id(tree)->id), GIT_OID_RAWSZ);
            if (!seenTrees.contains(treeKey)) {
                seenTrees.insert(treeKey);
                git_tree_walk(tree, GIT_TREEWALK_PRE, [](const char *root, const git_tree_entry *entry, void *payload) -> int {
                    auto &c = *static_cast<Context *>(payload);
                    if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
                        return 0;
                    const QString path = QString::fromUtf8(root) + QString::fromUtf8(git_tree_entry_name(entry));
                    if (!c.wanted(path))
                        return 0;
                    const QByteArray key(reinterpret_cast<const char *>(git_tree_entry_id(entry)->id), GIT_OID_RAWSZ);
                    if (c.seenBlobs.contains(key))
                        return 0;
                    c.seenBlobs.insert(key);
                    git_blob *blob = nullptr;
                    if (git_blob_lookup(&blob, c.repo.handle(), git_tree_entry_id(entry)) != 0)
                        return 0;
                    const QByteArray content(static_cast<const char *>(git_blob_rawcontent(blob)), qsizetype(git_blob_rawsize(blob)));
                    git_blob_free(blob);
                    c.status = c.visit(path, content);
                    return c.status.isOk() ? 0 : -1;
                }, &ctx);
            }
            git_tree_free(tree);
        }
        git_commit_free(commit);
        if (!ctx.status)
            return ctx.status;
    }
    return Status::ok();
}

} // namespace orrery::vcs
