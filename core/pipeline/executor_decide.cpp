// Executor::Impl's decisions, all on the coordinating thread: the checks of the whole selection
// before anything runs (stage types and their arguments, params, deps); for each stage whether it
// is skipped, restored from the cache (dvc.lock's outs or the run cache's), run or frozen — with
// the comparison of cmd, dep hashes and param values against dvc.lock; and, when a stage has run,
// hashing and caching its outs, writing its dvc.lock entry (atomically, after every stage) and
// its run-cache entry.

#include "core/common/atomic_file.h"
#include "core/common/hashing.h"
#include "core/data/file_hasher.h"
#include "core/pipeline/executor_impl.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace orrery::pipeline {

namespace {

// As `dvc repro` does: a cached out is ignored by git in its folder's .gitignore ("/name"), so
// the data lives in the cache and dvc.lock, and the run's "dirty" flag stays about code.
Status ignoreInGit(const QString &root, const QString &workspacePath)
{
    const QFileInfo out(QDir(root).filePath(workspacePath));
    const QString gitignore = out.absolutePath() + QStringLiteral("/.gitignore");
    const QString entry = QLatin1Char('/') + out.fileName();
    QByteArray content;
    QFile f(gitignore);
    if (f.exists()) {
        if (!f.open(QIODevice::ReadOnly))
            return ioError(QStringLiteral("cannot read %1: %2").arg(gitignore, f.errorString()));
        content = f.readAll();
        f.close();
        for (const QByteArray &line : content.split('\n'))
            if (line.trimmed() == entry.toUtf8())
                return Status::ok();
    }
    if (!content.isEmpty() && !content.endsWith('\n'))
        content += '\n';
    content += entry.toUtf8() + '\n';
    return common::writeFileAtomically(gitignore, content);
}

} // namespace

// ---- checks before anything runs ----

Result<ParamValue> Executor::Impl::paramsFile(const QString &name)
{
    if (paramsFiles.contains(name))
        return paramsFiles.value(name);
    ORRERY_ASSIGN_OR_RETURN(auto loaded, loadParamsFile(QDir(root).filePath(name), name));
    paramsFiles.insert(name, loaded);
    return loaded;
}

Result<LockParams> Executor::Impl::paramValues(const Stage &s)
{
    // A params file is relative to the stage's wdir (DVC reads wdir/params.yaml), and dvc.lock
    // names it as dvc.yaml does: relative to wdir.
    LockParams out;
    for (const ParamRef &ref : s.params) {
        const QString path = workspacePath(s, ref.file);
        const bool exists = QFile::exists(QDir(root).filePath(path));
        ORRERY_ASSIGN_OR_RETURN(auto file, paramsFile(path));
        auto it = std::find_if(out.begin(), out.end(), [&](const auto &p) { return p.first == ref.file; });
        if (it == out.end()) {
            out.emplace_back(ref.file, std::vector<std::pair<QString, ParamValue>>{});
            it = out.end() - 1;
        }
        if (ref.key.isEmpty()) {
            for (const auto &entry : file.entries())
                it->second.push_back(entry);
            continue;
        }
        const ParamValue *v = file.find(ref.key);
        if (!v)
            return invalidArgument(QStringLiteral("stage '%1' reads the param '%2', which %3: add it to %4 or remove it from the stage's params")
                                       .arg(s.name, ref.key, exists ? QStringLiteral("%1 does not have").arg(path) : QStringLiteral("cannot be found (%1 does not exist)").arg(path), path));
        it->second.emplace_back(ref.key, *v);
    }
    return out;
}

Status Executor::Impl::validate()
{
    const auto &stages = graph->stages();
    for (int i : selection) {
        const Stage &s = stages[i];
        for (const QString &c : s.cmd) {
            const QString trimmed = c.trimmed();
            const QStringList argv = QProcess_split(trimmed);
            if (argv.size() >= 2 && QFileInfo(argv[0]).fileName() == QLatin1String("orrery-cli") && argv[1] == QLatin1String("stage")) {
                if (argv.size() < 3)
                    return invalidArgument(QStringLiteral("stage '%1': 'orrery-cli stage' needs a stage type (known: %2)").arg(s.name, opt.registry->names().join(QStringLiteral(", "))));
                const QString type = argv[2];
                if (!opt.registry || !opt.registry->type(type))
                    return invalidArgument(QStringLiteral("stage '%1': unknown stage type '%2' in its cmd (known: %3)")
                                               .arg(s.name, type, opt.registry ? opt.registry->names().join(QStringLiteral(", ")) : QString()));
                if (auto call = parseBuiltinCall(trimmed)) {
                    auto args = parseStageArgs(*opt.registry->type(type), call->args);
                    if (!args)
                        return invalidArgument(QStringLiteral("stage '%1': %2").arg(s.name, args.status().message()));
                }
            }
        }
        ORRERY_ASSIGN_OR_RETURN(auto params, paramValues(s));
        for (const QString &d : s.deps) {
            const QString wp = workspacePath(s, d);
            if (graph->producerOf(wp) >= 0)
                continue;
            if (!QFileInfo::exists(QDir(root).filePath(wp)))
                return notFound(QStringLiteral("stage '%1' depends on '%2', which does not exist and which no stage writes: create it, fix the path, or add the stage that makes it")
                                    .arg(s.name, wp));
        }
    }
    return Status::ok();
}

// ---- decisions ----

QString Executor::Impl::runCacheKey(const LockStage &cur) const
{
    QString text = cur.cmd.join(QStringLiteral("\n")) + QStringLiteral("\n--deps\n");
    for (const auto &d : cur.deps)
        text += d.path + QLatin1Char(' ') + d.md5 + QLatin1Char('\n');
    text += QStringLiteral("--params\n");
    for (const auto &[file, keys] : cur.params)
        for (const auto &[k, v] : keys)
            text += file + QLatin1Char(':') + k + QLatin1Char('=') + v.canonical() + QLatin1Char('\n');
    return common::md5Hex(text.toUtf8());
}

QString Executor::Impl::runCachePath(const QString &key) const
{
    return outs->cache().root() + QStringLiteral("/orrery-runs/") + key.left(2) + QLatin1Char('/') + key + QStringLiteral(".json");
}

bool Executor::Impl::paramsEqual(const LockParams &a, const LockParams &b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].first != b[i].first || a[i].second.size() != b[i].second.size())
            return false;
        for (size_t k = 0; k < a[i].second.size(); ++k)
            if (a[i].second[k].first != b[i].second[k].first || a[i].second[k].second != b[i].second[k].second)
                return false;
    }
    return true;
}

Result<Executor::Impl::Decided> Executor::Impl::decide(int i)
{
    const Stage &s = graph->stages()[i];
    Decided d;
    if (s.frozen) {
        d.what = Decision::Frozen;
        d.reason = QStringLiteral("frozen in dvc.yaml: never run");
        return d;
    }
    if (opt.dryRun)
        for (int u : graph->upstream(i))
            if (reports[u].state == StageState::WouldRun) {
                d.what = Decision::WouldRun;
                d.reason = QStringLiteral("an upstream stage ('%1') would run").arg(reports[u].name);
                return d;
            }
    d.current.name = s.name;
    d.current.cmd = s.cmd;
    QStringList depPaths;
    for (const QString &dep : s.deps)
        depPaths << workspacePath(s, dep);
    ORRERY_ASSIGN_OR_RETURN(auto hashes, outs->hash(depPaths));
    for (int k = 0; k < depPaths.size(); ++k) {
        const QString &p = depPaths[k];
        const PathHash h = hashes.value(p);
        if (!h.exists) {
            d.what = Decision::Fail;
            d.reason = QStringLiteral("its dep '%1' does not exist (the stage that writes it did not)").arg(p);
            return d;
        }
        // dvc.lock names a dep as dvc.yaml does, relative to the stage's wdir (DVC's def_path).
        d.current.deps.append({s.deps[k], h.md5, h.size, h.nfiles, false});
    }
    ORRERY_ASSIGN_OR_RETURN(auto params, paramValues(s));
    d.current.params = params;
    d.current.normalize();

    if (opt.force) {
        d.what = opt.dryRun ? Decision::WouldRun : Decision::Run;
        d.reason = QStringLiteral("--force");
        return d;
    }
    if (s.alwaysChanged) {
        d.what = opt.dryRun ? Decision::WouldRun : Decision::Run;
        d.reason = QStringLiteral("always_changed");
        return d;
    }
    const LockStage *locked = lock.stage(s.name);
    QString why;
    if (!locked) {
        why = QStringLiteral("not in dvc.lock yet");
    } else if (locked->cmd != d.current.cmd) {
        why = QStringLiteral("its cmd changed");
    } else {
        // deps: compare by path; legacy (DVC 2.x) entries by their own hashing.
        QStringList changed;
        if (locked->deps.size() != d.current.deps.size())
            changed << QStringLiteral("the list of deps");
        for (const auto &cur : d.current.deps) {
            const LockHash *old = nullptr;
            for (const auto &l : locked->deps)
                if (l.path == cur.path)
                    old = &l;
            if (!old) {
                changed << cur.path;
                continue;
            }
            QString now = cur.md5;
            if (old->legacy && cur.nfiles < 0) {
                auto legacy = data::legacyMd5OfFile(QDir(root).filePath(workspacePath(s, cur.path)));
                if (legacy)
                    now = *legacy;
            }
            if (now != old->md5)
                changed << cur.path;
        }
        if (!changed.isEmpty()) {
            why = QStringLiteral("dep changed: %1").arg(changed.join(QStringLiteral(", ")));
        } else if (!paramsEqual(locked->params, d.current.params)) {
            QStringList keys;
            for (const auto &[file, kv] : d.current.params)
                for (const auto &[k, v] : kv) {
                    bool same = false;
                    for (const auto &[lf, lkv] : locked->params)
                        if (lf == file)
                            for (const auto &[lk, lv] : lkv)
                                if (lk == k && lv == v)
                                    same = true;
                    if (!same)
                        keys << k;
                }
            why = QStringLiteral("params changed: %1").arg(keys.isEmpty() ? QStringLiteral("a param was removed") : keys.join(QStringLiteral(", ")));
        }
    }
    if (why.isEmpty()) {
        // Inputs as recorded: the outs must be as recorded too, or come back from the cache.
        QStringList outPaths;
        const QStringList lockPaths = s.outputPaths();
        for (const QString &p : lockPaths)
            outPaths << workspacePath(s, p);
        ORRERY_ASSIGN_OR_RETURN(auto now, outs->hash(outPaths));
        QStringList differing;
        for (int k = 0; k < outPaths.size(); ++k) {
            const QString &p = outPaths[k];
            const LockHash *rec = locked->out(lockPaths[k]);
            if (!rec) {
                differing << p;
                continue;
            }
            const PathHash h = now.value(p);
            if (h.exists && h.md5 == rec->md5)
                continue;
            if (outs->canRestore(rec->md5))
                d.restore.append({p, rec->md5});
            else
                differing << p;
        }
        if (differing.isEmpty()) {
            d.what = d.restore.isEmpty() ? Decision::Skip : (opt.dryRun ? Decision::WouldRun : Decision::Restore);
            d.reason = d.restore.isEmpty() ? QStringLiteral("up to date") : QStringLiteral("outs restored from the cache (dvc.lock)");
            if (opt.dryRun && !d.restore.isEmpty())
                d.reason = QStringLiteral("would restore its outs from the cache");
            if (!d.restore.isEmpty())
                d.current.outs = locked->outs;
            return d;
        }
        why = QStringLiteral("outs changed or missing: %1").arg(differing.join(QStringLiteral(", ")));
    }
    // The run cache: the same inputs ran before (another branch, an earlier params.yaml).
    QFile entry(runCachePath(runCacheKey(d.current)));
    if (entry.open(QIODevice::ReadOnly)) {
        const QJsonArray cachedOuts = QJsonDocument::fromJson(entry.readAll()).object().value(QStringLiteral("outs")).toArray();
        QVector<std::pair<QString, QString>> restore;
        QVector<LockHash> lockOuts;
        bool complete = !cachedOuts.isEmpty() && cachedOuts.size() == s.outputPaths().size();
        for (const auto &v : cachedOuts) {
            const QJsonObject o = v.toObject();
            LockHash h{o.value(QStringLiteral("path")).toString(), o.value(QStringLiteral("md5")).toString(),
                       qint64(o.value(QStringLiteral("size")).toDouble(-1)), qint64(o.value(QStringLiteral("nfiles")).toDouble(-1)), false};
            // Entries name outs as dvc.lock does (relative to wdir); one that names no out of the
            // stage now is not a complete record.
            if (!outs->canRestore(h.md5) || !s.outputPaths().contains(h.path)) {
                complete = false;
                break;
            }
            restore.append({workspacePath(s, h.path), h.md5});
            lockOuts.append(h);
        }
        if (complete) {
            d.what = opt.dryRun ? Decision::WouldRun : Decision::Restore;
            d.reason = QStringLiteral("%1; the same inputs ran before: outs restored from the run cache").arg(why);
            d.restore = restore;
            d.current.outs = lockOuts;
            return d;
        }
    }
    d.what = opt.dryRun ? Decision::WouldRun : Decision::Run;
    d.reason = why;
    return d;
}

// ---- a finished stage: its outs, dvc.lock and the run cache ----

Status Executor::Impl::recordFinished(int i, Decided &d)
{
    const Stage &s = graph->stages()[i];
    LockStage entry = d.current;
    entry.outs.clear();
    QJsonArray cachedOuts;
    bool allCached = true;
    for (const auto &[kind, o] : s.allOutputs()) {
        const QString p = workspacePath(s, o.path);
        Result<PathHash> h = o.cache ? outs->save(p) : outs->hashOne(p);
        if (!h && h.status().code() == ErrorCode::NotFound)
            return notFound(QStringLiteral("stage '%1' finished but did not write its out '%2'").arg(s.name, p));
        if (!h)
            return h.status();
        if (!h->exists)
            return notFound(QStringLiteral("stage '%1' finished but did not write its out '%2'").arg(s.name, p));
        entry.outs.append({o.path, h->md5, h->size, h->nfiles, false}); // relative to wdir, as dvc.yaml names it
        if (!o.cache)
            allCached = false;
        else
            ORRERY_TRY(ignoreInGit(root, p));
        cachedOuts.append(QJsonObject{{QStringLiteral("path"), o.path}, {QStringLiteral("md5"), h->md5}, {QStringLiteral("size"), double(h->size)}, {QStringLiteral("nfiles"), double(h->nfiles)}});
    }
    d.current = entry;
    ORRERY_TRY(writeLock(entry));
    if (allCached && !cachedOuts.isEmpty()) {
        const QString path = runCachePath(runCacheKey(entry));
        QDir().mkpath(QFileInfo(path).absolutePath());
        (void)common::writeFileAtomically(path, QJsonDocument(QJsonObject{{QStringLiteral("stage"), s.name}, {QStringLiteral("outs"), cachedOuts}}).toJson(QJsonDocument::Compact));
    }
    return Status::ok();
}

Status Executor::Impl::writeLock(const LockStage &entry)
{
    // The lock read when the run began, with this stage's entry replaced: the workspace lock keeps
    // other runs from writing dvc.lock meanwhile.
    lock.upsert(entry);
    QStringList order;
    for (const auto &st : file.stages())
        order << st.name;
    lock.orderBy(order);
    // After each stage: a complete new file renamed over the old one (a crash of this process
    // leaves the old lock or the new, never a mix). The fsync that makes it survive a power
    // cut too is paid once, when the run ends (an fsync per stage cost ~10 ms each here).
    const QString path = QDir(root).filePath(QStringLiteral("dvc.lock"));
    const QString temp = path + QStringLiteral(".orrery-tmp");
    {
        QFile f(temp);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(lock.serialize()) < 0 || !f.flush())
            return ioError(QStringLiteral("cannot write %1: %2").arg(temp, f.errorString()));
    }
    if (::rename(QFile::encodeName(temp).constData(), QFile::encodeName(path).constData()) != 0)
        return ioError(QStringLiteral("cannot replace %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    lockWritten = true;
    return Status::ok();
}

} // namespace orrery::pipeline
