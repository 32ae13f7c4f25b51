#pragma once
// DvcIgnore: which paths of a workspace DVC leaves out, by its `.dvcignore` files — so that a
// tracked folder's manifest (and with it its md5, size and nfiles) is the one `dvc add` and
// `dvc status` compute for the same files.
//
// The rules are DVC 3's (dvc/ignore.py over pathspec's gitwildmatch):
// - every `.dvcignore` in the workspace root or a folder below it holds gitignore patterns, one a
//   line, stripped of surrounding blanks; '#' starts a comment; '!' re-includes; a pattern with a
//   '/' before its last character is anchored to the file's folder, one without matches at any
//   depth; a trailing '/' matches folders only; `*`, `?`, `[…]`, `**` as in git;
// - a folder's patterns apply to the paths under it; the patterns of all folders from the root
//   down are taken in that order, and the last pattern that matches a path decides;
// - a path is ignored when it, or one of the folders it is in, is ignored (a re-include cannot
//   bring back a file whose folder is ignored, as in git);
// - `.git`, `.git/`, `.hg/` and `.dvc/` are always ignored, at any depth; a `.dvcignore` that is
//   itself ignored is not read.
//
// Threads: not shared; each operation makes its own (the files are read lazily and kept).

#include "core/common/status.h"

#include <QHash>
#include <QRegularExpression>
#include <QString>
#include <QVector>

namespace orrery::data {

class DvcIgnore {
public:
    explicit DvcIgnore(QString workspaceRoot);

    // `path` is '/'-separated and relative to the workspace root; `isDir` says whether it names a
    // folder. An error names a .dvcignore that cannot be read or holds an invalid pattern.
    Result<bool> isIgnored(const QString &path, bool isDir);
    // The same for a walker that has already found each folder above `path` not ignored: only
    // the path itself is matched (a fraction of the work, per file of a large folder).
    Result<bool> isIgnoredEntry(const QString &path, bool isDir);

    // One pattern as gitwildmatch reads it: the regular expression over a path relative to the
    // pattern's folder (empty for a blank line or comment), and whether it ignores (false: '!').
    struct Rule {
        QRegularExpression regex;
        bool ignore = true;
        bool dirOnly = false;  // the pattern ended with '/'
        QString folder;        // relative to the workspace root; empty: the root
        QString source;        // "sub/.dvcignore:3" for messages
    };
    static Result<Rule> compile(const QString &pattern, const QString &source);

private:
    // The rules of `folder`'s own .dvcignore (loaded on first use).
    Result<const QVector<Rule> *> rulesOf(const QString &folder);
    // The rules that apply under `folder`: every ancestor's (root first), then its own.
    Result<QVector<const Rule *>> rulesFor(const QString &folder);
    bool matchOne(const QVector<const Rule *> &rules, const QString &path, bool isDir, bool *decided) const;

    QString m_root;
    QVector<Rule> m_defaults;
    QHash<QString, QVector<Rule>> m_files; // folder → its .dvcignore's rules
    QHash<QString, QVector<const Rule *>> m_inForce; // folder → rulesFor(folder)
};

} // namespace orrery::data
