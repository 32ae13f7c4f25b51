#include "core/vcs/working_state.h"

#include "core/vcs/repository.h"

#include <git2.h>

namespace orrery::vcs {
namespace {

Status gitError(const QString &what)
{
    const git_error *e = git_error_last();
    return ioError(QStringLiteral("%1: %2").arg(what, e && e->message ? QString::fromUtf8(e->message) : QStringLiteral("unknown libgit2 error")));
}

} // namespace

Result<WorkingState> captureWorkingState(const Repository &repo, qint64 maxPatchBytes)
{
    WorkingState state;
    state.branch = repo.currentBranch();
    git_tree *headTree = nullptr;
    if (!repo.isHeadUnborn()) {
        git_object *head = nullptr;
        if (git_revparse_single(&head, repo.handle(), "HEAD^{commit}") != 0)
            return gitError(QStringLiteral("cannot resolve HEAD"));
        char hex[GIT_OID_HEXSZ + 1] = {0};
        git_oid_tostr(hex, sizeof hex, git_object_id(head));
        state.commit = QString::fromLatin1(hex);
        git_commit_tree(&headTree, reinterpret_cast<git_commit *>(head));
        git_object_free(head);
        // HEAD detached: libgit2 names no branch.
        if (git_repository_head_detached(repo.handle()) == 1)
            state.branch.clear();
    }

    git_diff_options options = GIT_DIFF_OPTIONS_INIT;
    options.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS;
    git_diff *diff = nullptr;
    const int rc = git_diff_tree_to_workdir_with_index(&diff, repo.handle(), headTree, &options);
    git_tree_free(headTree);
    if (rc != 0)
        return gitError(QStringLiteral("cannot compare the work tree with HEAD"));
    const size_t deltas = git_diff_num_deltas(diff);
    for (size_t i = 0; i < deltas; ++i) {
        const git_diff_delta *d = git_diff_get_delta(diff, i);
        if (d->status == GIT_DELTA_UNTRACKED)
            state.untracked << QString::fromUtf8(d->new_file.path);
        else
            state.changed << QString::fromUtf8(d->new_file.path);
        state.dirty = true;
    }
    git_buf buf = GIT_BUF_INIT;
    if (maxPatchBytes > 0 && git_diff_to_buf(&buf, diff, GIT_DIFF_FORMAT_PATCH) == 0) {
        QByteArray patch(buf.ptr, qsizetype(buf.size));
        if (patch.size() > maxPatchBytes) {
            patch.truncate(maxPatchBytes);
            patch += "\n[diff truncated at " + QByteArray::number(maxPatchBytes) + " bytes]\n";
        }
        state.patch = QString::fromUtf8(patch);
    }
    git_buf_dispose(&buf);
    git_diff_free(diff);
    return state;
}

} // namespace orrery::vcs
