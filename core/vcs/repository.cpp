#include "core/vcs/repository.h"

#include <QDir>
#include <QFile>

#include <git2.h>

namespace orrery::vcs {
namespace {

void ensureInitialised()
{
    // git_libgit2_init is reference counted and thread-safe; one reference for the process.
    static const int once = git_libgit2_init();
    (void)once;
}

Status gitError(const QString &what)
{
    const git_error *e = git_error_last();
    return ioError(QStringLiteral("%1: %2").arg(what, e && e->message ? QString::fromUtf8(e->message) : QStringLiteral("unknown libgit2 error")));
}

template <typename T, void (*Free)(T *)>
struct GitPtr {
    T *p = nullptr;
    ~GitPtr() { if (p) Free(p); }
};

} // namespace

Repository::~Repository()
{
    if (m_repo)
        git_repository_free(m_repo);
}

Result<std::unique_ptr<Repository>> Repository::discover(const QString &path)
{
    ensureInitialised();
    git_buf found = GIT_BUF_INIT;
    const int rc = git_repository_discover(&found, QFile::encodeName(path).constData(), 0, nullptr);
    if (rc == GIT_ENOTFOUND) {
        git_buf_dispose(&found);
        return notFound(QStringLiteral("%1 is not inside a git repository").arg(path));
    }
    if (rc < 0) {
        git_buf_dispose(&found);
        return gitError(QStringLiteral("cannot look for a git repository at %1").arg(path));
    }
    git_repository *repo = nullptr;
    const int orc = git_repository_open(&repo, found.ptr);
    git_buf_dispose(&found);
    if (orc < 0)
        return gitError(QStringLiteral("cannot open the git repository of %1").arg(path));
    return std::unique_ptr<Repository>(new Repository(repo));
}

Result<std::unique_ptr<Repository>> Repository::initOrOpen(const QString &dir, bool *created)
{
    if (created)
        *created = false;
    auto existing = discover(dir);
    if (existing || existing.status().code() != ErrorCode::NotFound)
        return existing;

    git_repository_init_options options = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    options.flags = GIT_REPOSITORY_INIT_MKPATH;
    options.initial_head = "main";
    git_repository *repo = nullptr;
    if (git_repository_init_ext(&repo, QFile::encodeName(dir).constData(), &options) < 0)
        return gitError(QStringLiteral("cannot create a git repository in %1").arg(dir));
    if (created)
        *created = true;
    return std::unique_ptr<Repository>(new Repository(repo));
}

QString Repository::workdir() const
{
    const char *w = git_repository_workdir(m_repo);
    return w ? QFile::decodeName(w) : QString();
}

bool Repository::isHeadUnborn() const
{
    return git_repository_head_unborn(m_repo) == 1;
}

QString Repository::currentBranch() const
{
    if (git_repository_head_detached(m_repo) == 1)
        return QString(); // repository.h: empty when HEAD is detached (libgit2 would say "HEAD")
    GitPtr<git_reference, git_reference_free> head;
    if (git_repository_head(&head.p, m_repo) == 0) {
        const char *name = git_reference_shorthand(head.p);
        return name ? QString::fromUtf8(name) : QString();
    }
    // Unborn HEAD: read the branch it points at.
    GitPtr<git_reference, git_reference_free> symbolic;
    if (git_reference_lookup(&symbolic.p, m_repo, "HEAD") == 0 && git_reference_type(symbolic.p) == GIT_REFERENCE_SYMBOLIC) {
        QString target = QString::fromUtf8(git_reference_symbolic_target(symbolic.p));
        return target.startsWith(QLatin1String("refs/heads/")) ? target.mid(11) : target;
    }
    return QString();
}

Result<QString> Repository::commitPaths(const QStringList &paths, const QString &message)
{
    GitPtr<git_index, git_index_free> index;
    if (git_repository_index(&index.p, m_repo) < 0)
        return gitError(QStringLiteral("cannot read the git index"));
    for (const QString &path : paths) {
        if (git_index_add_bypath(index.p, path.toUtf8().constData()) < 0)
            return gitError(QStringLiteral("cannot stage %1").arg(path));
    }
    if (git_index_write(index.p) < 0)
        return gitError(QStringLiteral("cannot write the git index"));
    git_oid treeId;
    if (git_index_write_tree(&treeId, index.p) < 0)
        return gitError(QStringLiteral("cannot write the tree"));
    GitPtr<git_tree, git_tree_free> tree;
    if (git_tree_lookup(&tree.p, m_repo, &treeId) < 0)
        return gitError(QStringLiteral("cannot read the tree"));

    GitPtr<git_signature, git_signature_free> signature;
    if (git_signature_default(&signature.p, m_repo) < 0 && git_signature_now(&signature.p, "Orrery", "orrery@localhost") < 0)
        return gitError(QStringLiteral("cannot make a commit signature"));

    GitPtr<git_commit, git_commit_free> parent;
    const git_commit *parents[1] = {nullptr};
    size_t parentCount = 0;
    if (!isHeadUnborn()) {
        GitPtr<git_object, git_object_free> headObject;
        if (git_revparse_single(&headObject.p, m_repo, "HEAD^{commit}") < 0)
            return gitError(QStringLiteral("cannot resolve HEAD"));
        parent.p = reinterpret_cast<git_commit *>(headObject.p);
        headObject.p = nullptr;
        parents[0] = parent.p;
        parentCount = 1;
    }
    git_oid commitId;
    if (git_commit_create(&commitId, m_repo, "HEAD", signature.p, signature.p, nullptr, message.toUtf8().constData(),
                          tree.p, parentCount, parents) < 0)
        return gitError(QStringLiteral("cannot commit"));
    char hex[GIT_OID_HEXSZ + 1] = {0};
    git_oid_tostr(hex, sizeof hex, &commitId);
    return QString::fromLatin1(hex);
}

} // namespace orrery::vcs
