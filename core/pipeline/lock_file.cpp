#include "core/pipeline/lock_file.h"

#include "core/common/atomic_file.h"
#include "core/pipeline/pipeline_file.h"

#include <QDir>
#include <QFile>

#include <algorithm>

namespace orrery::pipeline {
namespace {

Status shapeError(const ParamValue &at, const QString &file, const QString &what)
{
    return corrupt(QStringLiteral("%1: %2 (delete dvc.lock to rebuild it by running the pipeline)").arg(at.where(file), what));
}

Result<QVector<LockHash>> readHashes(const ParamValue *v, const QString &file)
{
    QVector<LockHash> out;
    if (!v || v->kind() == ParamValue::Kind::Null)
        return out;
    if (v->kind() != ParamValue::Kind::List)
        return shapeError(*v, file, QStringLiteral("deps and outs are lists"));
    for (const auto &item : v->items()) {
        if (item.kind() != ParamValue::Kind::Map)
            return shapeError(item, file, QStringLiteral("an entry of deps or outs is a map with path and md5"));
        LockHash h;
        h.legacy = true;
        for (const auto &[k, x] : item.entries()) {
            if (k == QLatin1String("path"))
                h.path = x.interpolationText();
            else if (k == QLatin1String("md5"))
                h.md5 = x.interpolationText();
            else if (k == QLatin1String("size"))
                h.size = x.toInt();
            else if (k == QLatin1String("nfiles"))
                h.nfiles = x.toInt();
            else if (k == QLatin1String("hash"))
                h.legacy = x.interpolationText() != QLatin1String("md5");
        }
        if (h.path.isEmpty())
            return shapeError(item, file, QStringLiteral("an entry without a path"));
        out.append(h);
    }
    return out;
}

ParamValue hashesValue(const QVector<LockHash> &hashes)
{
    std::vector<ParamValue> list;
    for (const auto &h : hashes) {
        std::vector<std::pair<QString, ParamValue>> e;
        e.emplace_back(QStringLiteral("path"), ParamValue::string(h.path));
        if (!h.legacy)
            e.emplace_back(QStringLiteral("hash"), ParamValue::string(QStringLiteral("md5")));
        e.emplace_back(QStringLiteral("md5"), ParamValue::string(h.md5));
        if (h.size >= 0)
            e.emplace_back(QStringLiteral("size"), ParamValue::integer(h.size));
        if (h.nfiles >= 0)
            e.emplace_back(QStringLiteral("nfiles"), ParamValue::integer(h.nfiles));
        list.push_back(ParamValue::map(e));
    }
    return ParamValue::list(list);
}

} // namespace

void LockStage::normalize()
{
    auto byPath = [](const LockHash &a, const LockHash &b) { return a.path < b.path; };
    std::sort(deps.begin(), deps.end(), byPath);
    std::sort(outs.begin(), outs.end(), byPath);
    // DVC's order (dvc/stage/serialize.py): params.yaml first, then the other files by name.
    std::sort(params.begin(), params.end(), [](const auto &a, const auto &b) {
        const bool aDefault = a.first == QLatin1String("params.yaml"), bDefault = b.first == QLatin1String("params.yaml");
        return aDefault != bDefault ? aDefault : a.first < b.first;
    });
    for (auto &[file, keys] : params)
        std::sort(keys.begin(), keys.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
}

const LockHash *LockStage::out(const QString &path) const
{
    for (const auto &o : outs)
        if (o.path == path)
            return &o;
    return nullptr;
}

const LockStage *LockFile::stage(const QString &name) const
{
    for (const auto &s : stages)
        if (s.name == name)
            return &s;
    return nullptr;
}

void LockFile::upsert(LockStage stage)
{
    stage.normalize();
    for (auto &s : stages)
        if (s.name == stage.name) {
            s = std::move(stage);
            return;
        }
    stages.append(std::move(stage));
}

void LockFile::remove(const QString &name)
{
    stages.erase(std::remove_if(stages.begin(), stages.end(), [&](const LockStage &s) { return s.name == name; }), stages.end());
}

void LockFile::orderBy(const QStringList &order)
{
    std::stable_sort(stages.begin(), stages.end(), [&](const LockStage &a, const LockStage &b) {
        qsizetype ia = order.indexOf(a.name), ib = order.indexOf(b.name);
        if (ia < 0)
            ia = order.size();
        if (ib < 0)
            ib = order.size();
        return ia < ib;
    });
}

Result<LockFile> LockFile::parse(const QByteArray &yaml, const QString &fileName)
{
    ORRERY_ASSIGN_OR_RETURN(auto doc, parseYamlDocument(yaml, fileName));
    LockFile lock;
    if (doc.kind() == ParamValue::Kind::Null)
        return lock;
    if (doc.kind() != ParamValue::Kind::Map)
        return shapeError(doc, fileName, QStringLiteral("dvc.lock holds a map"));
    const ParamValue *schema = doc.find(QStringLiteral("schema"));
    if (!schema || schema->interpolationText() != QLatin1String("2.0"))
        return Status(ErrorCode::Unsupported,
                      QStringLiteral("%1: only dvc.lock schema '2.0' is read (DVC 1.x's lock format is not); run `dvc repro` with DVC 2 or 3 once, or delete the file")
                          .arg(fileName));
    const ParamValue *stages = doc.find(QStringLiteral("stages"));
    if (!stages || stages->kind() == ParamValue::Kind::Null)
        return lock;
    if (stages->kind() != ParamValue::Kind::Map)
        return shapeError(*stages, fileName, QStringLiteral("'stages' is a map"));
    for (const auto &[name, body] : stages->entries()) {
        if (body.kind() != ParamValue::Kind::Map)
            return shapeError(body, fileName, QStringLiteral("stage '%1' is a map").arg(name));
        LockStage s;
        s.name = name;
        if (const ParamValue *cmd = body.find(QStringLiteral("cmd"))) {
            if (cmd->kind() == ParamValue::Kind::List) {
                for (const auto &c : cmd->items())
                    s.cmd << c.interpolationText();
            } else {
                s.cmd << cmd->interpolationText();
            }
        }
        ORRERY_ASSIGN_OR_RETURN(auto deps, readHashes(body.find(QStringLiteral("deps")), fileName));
        s.deps = deps;
        ORRERY_ASSIGN_OR_RETURN(auto outs, readHashes(body.find(QStringLiteral("outs")), fileName));
        s.outs = outs;
        for (const auto &[k, v] : body.entries())
            if (k == QLatin1String("params") && v.kind() == ParamValue::Kind::Map)
                for (const auto &[file, keys] : v.entries()) {
                    std::vector<std::pair<QString, ParamValue>> kv;
                    for (const auto &e : keys.entries())
                        kv.push_back(e);
                    s.params.emplace_back(file, kv);
                }
        lock.stages.append(s);
    }
    return lock;
}

Result<LockFile> LockFile::load(const QString &root)
{
    QFile f(QDir(root).filePath(QStringLiteral("dvc.lock")));
    if (!f.exists())
        return LockFile();
    if (!f.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString()));
    return parse(f.readAll(), QStringLiteral("dvc.lock"));
}

QByteArray LockFile::serialize() const
{
    QString out = QStringLiteral("schema: '2.0'\nstages:\n");
    if (stages.isEmpty())
        out = QStringLiteral("schema: '2.0'\nstages: {}\n");
    for (const auto &s : stages) {
        std::vector<std::pair<QString, ParamValue>> e;
        if (s.cmd.size() == 1) {
            e.emplace_back(QStringLiteral("cmd"), ParamValue::string(s.cmd.front()));
        } else {
            std::vector<ParamValue> cmds;
            for (const auto &c : s.cmd)
                cmds.push_back(ParamValue::string(c));
            e.emplace_back(QStringLiteral("cmd"), ParamValue::list(cmds));
        }
        if (!s.deps.isEmpty())
            e.emplace_back(QStringLiteral("deps"), hashesValue(s.deps));
        if (!s.params.empty()) {
            std::vector<std::pair<QString, ParamValue>> files;
            for (const auto &[file, keys] : s.params)
                files.emplace_back(file, ParamValue::map(keys));
            e.emplace_back(QStringLiteral("params"), ParamValue::map(files));
        }
        if (!s.outs.isEmpty())
            e.emplace_back(QStringLiteral("outs"), hashesValue(s.outs));
        emitYamlEntry(out, s.name, ParamValue::map(e), 2);
    }
    return out.toUtf8();
}

Status LockFile::save(const QString &root) const
{
    return common::writeFileAtomically(QDir(root).filePath(QStringLiteral("dvc.lock")), serialize());
}

} // namespace orrery::pipeline
