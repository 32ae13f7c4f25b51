#pragma once
// LockFile: dvc.lock in DVC's schema 2.0 — what each stage last ran with: its command, the hash
// of each dep, the values of its params, the hash of each out (metrics and plots included).
//
//   schema: '2.0'
//   stages:
//     prepare:
//       cmd: python src/prepare.py data/data.xml    (folded at 80 columns as ruamel.yaml folds it)
//       deps:                        (sorted by path)
//       - path: data/data.xml
//         hash: md5
//         md5: a304afb96060aad90176268345e10355
//         size: 14445097
//       params:                      (params.yaml first, then the other files sorted; keys sorted)
//         params.yaml:
//           prepare.seed: 20170428
//       outs:                        (sorted by path; a directory adds nfiles, md5 ends .dir)
//       - path: data/prepared
//         hash: md5
//         md5: 153aad06d376ec6f4a5c4e2de2ce7a3b.dir
//         size: 8437363
//         nfiles: 2
//
// Paths (deps, outs, params files) are relative to the stage's wdir, as dvc.yaml writes them.
// Entries without `hash: md5` are DVC 2.x (md5-dos2unix) hashes: read, compared as such.

#include "core/common/status.h"
#include "core/pipeline/param_value.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVector>

#include <utility>
#include <vector>

namespace orrery::pipeline {

struct LockHash {
    QString path;
    QString md5;        // "<32 hex>" or "<32 hex>.dir"
    qint64 size = -1;
    qint64 nfiles = -1; // directories
    bool legacy = false; // no "hash: md5": DVC 2.x hashing
    bool operator==(const LockHash &o) const { return path == o.path && md5 == o.md5; }
};

using LockParams = std::vector<std::pair<QString, std::vector<std::pair<QString, ParamValue>>>>; // file → key → value

struct LockStage {
    QString name;
    QStringList cmd;
    QVector<LockHash> deps;
    LockParams params;
    QVector<LockHash> outs;

    void normalize(); // sorts deps, outs, params files and keys as DVC writes them
    const LockHash *out(const QString &path) const;
};

class LockFile {
public:
    QVector<LockStage> stages;

    const LockStage *stage(const QString &name) const;
    void upsert(LockStage stage); // normalized; replaces the entry of that name or appends
    void remove(const QString &name);
    // Orders the entries as `order` lists them (others after, as they were).
    void orderBy(const QStringList &order);

    static Result<LockFile> parse(const QByteArray &yaml, const QString &fileName);
    static Result<LockFile> load(const QString &root); // root/dvc.lock; none: empty
    QByteArray serialize() const;
    Status save(const QString &root) const; // atomically
};

} // namespace orrery::pipeline
