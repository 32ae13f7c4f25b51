#include "core/pipeline/pipeline_file.h"

#include "core/common/atomic_file.h"
#include "core/common/safe_path.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

namespace orrery::pipeline {
namespace {

const QString kDvcYaml = QStringLiteral("dvc.yaml");

// What ${…} may name while one stage is read: locals (item, key) first, then vars.
struct Scope {
    const ParamValue *vars = nullptr;
    std::vector<std::pair<QString, ParamValue>> locals;

    const ParamValue *lookup(const QString &expr) const
    {
        const int dot = int(expr.indexOf(QLatin1Char('.')));
        const QString head = dot < 0 ? expr : expr.left(dot);
        for (const auto &[name, value] : locals) {
            if (name == head)
                return dot < 0 ? &value : value.find(expr.mid(dot + 1));
        }
        return vars ? vars->find(expr) : nullptr;
    }
};

struct Reader {
    QString fileName;
    QString stageName;
    const Scope *scope = nullptr;
    QString wdir = QString(); // the stage's: its paths are relative to it, and checked after joining (DVC's rule)

    Status error(const ParamValue &at, const QString &what) const
    {
        const QString where = at.where(fileName);
        if (stageName.isEmpty())
            return invalidArgument(QStringLiteral("%1: %2").arg(where, what));
        return invalidArgument(QStringLiteral("%1: stage '%2': %3").arg(where, stageName, what));
    }

    Result<QString> interpolate(const ParamValue &at, const QString &text) const
    {
        if (!text.contains(QLatin1Char('$')))
            return text;
        static const QRegularExpression re(QStringLiteral("(\\\\)?\\$\\{\\s*([^}]*?)\\s*\\}"));
        QString out;
        qsizetype last = 0;
        auto it = re.globalMatch(text);
        while (it.hasNext()) {
            const auto m = it.next();
            out += text.mid(last, m.capturedStart() - last);
            last = m.capturedEnd();
            if (!m.captured(1).isEmpty()) { // \${x} stays literal
                out += m.captured(0).mid(1);
                continue;
            }
            const QString expr = m.captured(2);
            const ParamValue *v = scope ? scope->lookup(expr) : nullptr;
            if (!v)
                return error(at, QStringLiteral("${%1} is not defined: add '%1' to params.yaml (or to the file's vars)").arg(expr));
            if (!v->isScalar())
                return error(at, QStringLiteral("${%1} is a %2, not a single value").arg(expr, v->kind() == ParamValue::Kind::Map ? QStringLiteral("map") : QStringLiteral("list")));
            out += v->interpolationText();
        }
        out += text.mid(last);
        return out;
    }

    Result<QString> string(const ParamValue &v, const QString &what) const
    {
        if (!v.isScalar() || v.kind() == ParamValue::Kind::Null)
            return error(v, QStringLiteral("%1 must be a single value").arg(what));
        return interpolate(v, v.interpolationText());
    }

    Result<bool> boolean(const ParamValue &v, const QString &what) const
    {
        if (v.kind() == ParamValue::Kind::Bool)
            return v.toBool();
        if (v.kind() == ParamValue::Kind::String) {
            ORRERY_ASSIGN_OR_RETURN(auto s, interpolate(v, v.toStringValue()));
            if (s == QLatin1String("true"))
                return true;
            if (s == QLatin1String("false"))
                return false;
        }
        return error(v, QStringLiteral("%1 must be true or false").arg(what));
    }

    Result<QString> path(const ParamValue &v, const QString &what) const
    {
        ORRERY_ASSIGN_OR_RETURN(auto s, string(v, what));
        // "../in.txt" under wdir "src" is the workspace's in.txt: allowed, as DVC allows it.
        auto clean = common::cleanPathUnder(wdir, s);
        if (!clean)
            return error(
                v, QStringLiteral("%1 '%2' must be a relative path inside the workspace (%3)").arg(what, s, clean.status().message()));
        return *clean;
    }

    Result<QStringList> stringList(const ParamValue &v, const QString &what, bool paths) const
    {
        QStringList out;
        if (v.kind() == ParamValue::Kind::Null)
            return out;
        if (v.kind() != ParamValue::Kind::List)
            return error(v, QStringLiteral("%1 must be a list").arg(what));
        for (const auto &item : v.items()) {
            ORRERY_ASSIGN_OR_RETURN(auto s, paths ? path(item, what) : string(item, what));
            out << s;
        }
        return out;
    }

    Result<QVector<OutSpec>> outs(const ParamValue &v, const QString &what) const
    {
        QVector<OutSpec> out;
        if (v.kind() == ParamValue::Kind::Null)
            return out;
        if (v.kind() != ParamValue::Kind::List)
            return error(v, QStringLiteral("%1 must be a list of paths").arg(what));
        for (const auto &item : v.items()) {
            OutSpec spec;
            if (item.kind() == ParamValue::Kind::Map) {
                if (item.entries().size() != 1)
                    return error(item, QStringLiteral("an entry of %1 is either a path or {path: {options}}").arg(what));
                const auto &[key, options] = item.entries().front();
                auto p = path(ParamValue::string(key), what);
                if (!p)
                    return error(item, p.status().message());
                spec.path = *p;
                if (options.kind() == ParamValue::Kind::Map) {
                    for (const auto &[ok, ov] : options.entries()) {
                        if (ok == QLatin1String("cache")) {
                            ORRERY_ASSIGN_OR_RETURN(auto b, boolean(ov, QStringLiteral("cache")));
                            spec.cache = b;
                        } else if (ok == QLatin1String("persist")) {
                            ORRERY_ASSIGN_OR_RETURN(auto b, boolean(ov, QStringLiteral("persist")));
                            spec.persist = b;
                        } else {
                            spec.options.emplace_back(ok, ov);
                        }
                    }
                } else if (options.kind() != ParamValue::Kind::Null) {
                    return error(options, QStringLiteral("the options of '%1' must be a map").arg(key));
                }
            } else {
                ORRERY_ASSIGN_OR_RETURN(auto p, path(item, what));
                spec.path = p;
            }
            out.append(spec);
        }
        return out;
    }

    Result<QVector<ParamRef>> params(const ParamValue &v) const
    {
        QVector<ParamRef> out;
        if (v.kind() == ParamValue::Kind::Null)
            return out;
        if (v.kind() != ParamValue::Kind::List)
            return error(v, QStringLiteral("params must be a list of keys"));
        for (const auto &item : v.items()) {
            if (item.kind() == ParamValue::Kind::Map) {
                for (const auto &[file, keys] : item.entries()) {
                    auto f = path(ParamValue::string(file), QStringLiteral("params file"));
                    if (!f)
                        return error(item, f.status().message());
                    if (keys.kind() == ParamValue::Kind::Null || (keys.kind() == ParamValue::Kind::List && keys.items().empty())) {
                        out.append({*f, QString()});
                        continue;
                    }
                    ORRERY_ASSIGN_OR_RETURN(auto list, stringList(keys, QStringLiteral("params of %1").arg(file), false));
                    for (const auto &k : list)
                        out.append({*f, k});
                }
            } else {
                ORRERY_ASSIGN_OR_RETURN(auto k, string(item, QStringLiteral("a params key")));
                out.append({QStringLiteral("params.yaml"), k});
            }
        }
        return out;
    }

    Result<Stage> stage(const QString &name, const ParamValue &body) const
    {
        if (body.kind() != ParamValue::Kind::Map)
            return error(body, QStringLiteral("a stage is a map with at least 'cmd'"));
        // wdir first, whatever its place in the map: every other path is relative to it.
        Reader r = *this;
        r.wdir.clear();
        if (const ParamValue *w = body.find(QStringLiteral("wdir"));
            w && w->interpolationText() != QLatin1String(".") && w->interpolationText() != QLatin1String("./")) {
            ORRERY_ASSIGN_OR_RETURN(auto clean, r.path(*w, QStringLiteral("wdir")));
            r.wdir = clean;
        }
        return r.stageIn(name, body);
    }

    Result<Stage> stageIn(const QString &name, const ParamValue &body) const
    {
        Stage s;
        s.name = name;
        bool hasCmd = false;
        for (const auto &[key, v] : body.entries()) {
            if (key == QLatin1String("cmd")) {
                hasCmd = true;
                if (v.kind() == ParamValue::Kind::List) {
                    ORRERY_ASSIGN_OR_RETURN(auto l, stringList(v, QStringLiteral("cmd"), false));
                    s.cmd = l;
                } else {
                    ORRERY_ASSIGN_OR_RETURN(auto c, string(v, QStringLiteral("cmd")));
                    s.cmd = QStringList{c};
                }
                if (s.cmd.isEmpty() || s.cmd.join(QString()).trimmed().isEmpty())
                    return error(v, QStringLiteral("cmd is empty"));
            } else if (key == QLatin1String("wdir")) {
                s.wdir = wdir; // read first (stage())
            } else if (key == QLatin1String("desc")) {
                ORRERY_ASSIGN_OR_RETURN(auto d, string(v, QStringLiteral("desc")));
                s.desc = d;
            } else if (key == QLatin1String("deps")) {
                ORRERY_ASSIGN_OR_RETURN(auto d, stringList(v, QStringLiteral("deps"), true));
                s.deps = d;
            } else if (key == QLatin1String("params")) {
                ORRERY_ASSIGN_OR_RETURN(auto p, params(v));
                s.params = p;
            } else if (key == QLatin1String("outs") || key == QLatin1String("metrics") || key == QLatin1String("plots")) {
                ORRERY_ASSIGN_OR_RETURN(auto o, outs(v, key));
                (key == QLatin1String("outs") ? s.outs : key == QLatin1String("metrics") ? s.metrics : s.plots) = o;
            } else if (key == QLatin1String("frozen")) {
                ORRERY_ASSIGN_OR_RETURN(auto b, boolean(v, key));
                s.frozen = b;
            } else if (key == QLatin1String("always_changed")) {
                ORRERY_ASSIGN_OR_RETURN(auto b, boolean(v, key));
                s.alwaysChanged = b;
            } else if (key == QLatin1String("meta") || key == QLatin1String("vars")) {
                s.extra.emplace_back(key, v);
            } else {
                return error(v, QStringLiteral("unknown key '%1' (a stage has cmd, wdir, deps, params, outs, metrics, plots, frozen, always_changed, desc, meta, vars)").arg(key));
            }
        }
        if (!hasCmd)
            return error(body, QStringLiteral("the stage has no 'cmd'"));
        return s;
    }
};

QString itemName(const ParamValue &v)
{
    return v.interpolationText();
}

ParamValue stageToValue(const Stage &s)
{
    std::vector<std::pair<QString, ParamValue>> e;
    if (s.cmd.size() == 1) {
        e.emplace_back(QStringLiteral("cmd"), ParamValue::string(s.cmd.front()));
    } else {
        std::vector<ParamValue> cmds;
        for (const auto &c : s.cmd)
            cmds.push_back(ParamValue::string(c));
        e.emplace_back(QStringLiteral("cmd"), ParamValue::list(cmds));
    }
    if (!s.wdir.isEmpty())
        e.emplace_back(QStringLiteral("wdir"), ParamValue::string(s.wdir));
    if (!s.desc.isEmpty())
        e.emplace_back(QStringLiteral("desc"), ParamValue::string(s.desc));
    if (!s.deps.isEmpty()) {
        std::vector<ParamValue> deps;
        for (const auto &d : s.deps)
            deps.push_back(ParamValue::string(d));
        e.emplace_back(QStringLiteral("deps"), ParamValue::list(deps));
    }
    if (!s.params.isEmpty()) {
        std::vector<ParamValue> params;
        std::vector<std::pair<QString, ParamValue>> others; // file → keys
        for (const auto &p : s.params) {
            if (p.file == QLatin1String("params.yaml") && !p.key.isEmpty()) {
                params.push_back(ParamValue::string(p.key));
                continue;
            }
            auto it = std::find_if(others.begin(), others.end(), [&](const auto &o) { return o.first == p.file; });
            if (it == others.end()) {
                others.emplace_back(p.file, ParamValue::list({}));
                it = others.end() - 1;
            }
            if (!p.key.isEmpty()) {
                auto items = it->second.items();
                items.push_back(ParamValue::string(p.key));
                it->second = ParamValue::list(items);
            }
        }
        for (const auto &[file, keys] : others)
            params.push_back(ParamValue::map({{file, keys.items().empty() ? ParamValue::null() : keys}}));
        e.emplace_back(QStringLiteral("params"), ParamValue::list(params));
    }
    auto outList = [](const QVector<OutSpec> &outs, bool metricDefaultsNoCache) {
        std::vector<ParamValue> list;
        for (const auto &o : outs) {
            std::vector<std::pair<QString, ParamValue>> opts;
            if (!o.cache)
                opts.emplace_back(QStringLiteral("cache"), ParamValue::boolean(false));
            if (o.persist)
                opts.emplace_back(QStringLiteral("persist"), ParamValue::boolean(true));
            for (const auto &x : o.options)
                opts.push_back(x);
            Q_UNUSED(metricDefaultsNoCache);
            if (opts.empty())
                list.push_back(ParamValue::string(o.path));
            else
                list.push_back(ParamValue::map({{o.path, ParamValue::map(opts)}}));
        }
        return ParamValue::list(list);
    };
    if (!s.outs.isEmpty())
        e.emplace_back(QStringLiteral("outs"), outList(s.outs, false));
    if (!s.metrics.isEmpty())
        e.emplace_back(QStringLiteral("metrics"), outList(s.metrics, true));
    if (!s.plots.isEmpty())
        e.emplace_back(QStringLiteral("plots"), outList(s.plots, true));
    if (s.frozen)
        e.emplace_back(QStringLiteral("frozen"), ParamValue::boolean(true));
    if (s.alwaysChanged)
        e.emplace_back(QStringLiteral("always_changed"), ParamValue::boolean(true));
    for (const auto &x : s.extra)
        e.push_back(x);
    return ParamValue::map(e);
}

bool sameOuts(const QVector<OutSpec> &a, const QVector<OutSpec> &b)
{
    if (a.size() != b.size())
        return false;
    for (int i = 0; i < a.size(); ++i) {
        if (a[i].path != b[i].path || a[i].cache != b[i].cache || a[i].persist != b[i].persist || a[i].options.size() != b[i].options.size())
            return false;
        for (size_t k = 0; k < a[i].options.size(); ++k)
            if (a[i].options[k].first != b[i].options[k].first || a[i].options[k].second != b[i].options[k].second)
                return false;
    }
    return true;
}

bool sameParams(const QVector<ParamRef> &a, const QVector<ParamRef> &b)
{
    if (a.size() != b.size())
        return false;
    for (int i = 0; i < a.size(); ++i)
        if (a[i].file != b[i].file || a[i].key != b[i].key)
            return false;
    return true;
}

// A plain stage as it goes into dvc.yaml: its text as read where the field did not change.
ParamValue entryValue(const PipelineEntry &e)
{
    if (!e.raw || !e.asRead)
        return stageToValue(e.stage);
    const Stage &was = *e.asRead;
    const Stage &now = e.stage;
    ParamValue fresh = stageToValue(now);
    auto unchanged = [&](const QString &key) {
        if (key == QLatin1String("cmd")) return was.cmd == now.cmd;
        if (key == QLatin1String("wdir")) return was.wdir == now.wdir;
        if (key == QLatin1String("desc")) return was.desc == now.desc;
        if (key == QLatin1String("deps")) return was.deps == now.deps;
        if (key == QLatin1String("params")) return sameParams(was.params, now.params);
        if (key == QLatin1String("outs")) return sameOuts(was.outs, now.outs);
        if (key == QLatin1String("metrics")) return sameOuts(was.metrics, now.metrics);
        if (key == QLatin1String("plots")) return sameOuts(was.plots, now.plots);
        if (key == QLatin1String("frozen")) return was.frozen == now.frozen;
        if (key == QLatin1String("always_changed")) return was.alwaysChanged == now.alwaysChanged;
        return false;
    };
    bool all = true;
    for (const char *k : {"cmd", "wdir", "desc", "deps", "params", "outs", "metrics", "plots", "frozen", "always_changed"})
        all = all && unchanged(QString::fromLatin1(k));
    if (all && was.extra.size() == now.extra.size())
        return *e.raw;
    for (auto &[key, value] : fresh.entries())
        if (unchanged(key))
            if (const ParamValue *old = e.raw->find(key))
                value = *old;
    return fresh;
}

} // namespace

QVector<Stage> PipelineFile::stages() const
{
    QVector<Stage> all;
    for (const auto &e : entries) {
        if (e.generated)
            all += e.expanded;
        else
            all.append(e.stage);
    }
    return all;
}

const Stage *PipelineFile::stage(const QString &name) const
{
    for (const auto &e : entries) {
        if (!e.generated && e.stage.name == name)
            return &e.stage;
        for (const auto &s : e.expanded)
            if (s.name == name)
                return &s;
    }
    return nullptr;
}

Result<PipelineFile> PipelineFile::parse(const QByteArray &yaml, const QString &fileName, const QString &root)
{
    ORRERY_ASSIGN_OR_RETURN(auto doc, parseYamlDocument(yaml, fileName));
    PipelineFile file;
    if (doc.kind() == ParamValue::Kind::Null)
        return file;
    Reader top{fileName, QString(), nullptr};
    if (doc.kind() != ParamValue::Kind::Map)
        return top.error(doc, QStringLiteral("dvc.yaml holds a map with a 'stages' key at the top"));

    // vars: params.yaml always (DVC's default), then the files and maps the file lists.
    ParamValue vars = ParamValue::map({});
    {
        ORRERY_ASSIGN_OR_RETURN(
            auto params, loadParamsFile(QDir(root).filePath(QStringLiteral("params.yaml")), QStringLiteral("params.yaml")));
        vars = params;
    }
    const ParamValue *stagesValue = nullptr;
    for (const auto &[key, v] : doc.entries()) {
        if (key == QLatin1String("stages")) {
            stagesValue = &v;
            continue;
        }
        if (key == QLatin1String("vars")) {
            if (v.kind() != ParamValue::Kind::List)
                return top.error(v, QStringLiteral("vars must be a list of files and maps"));
            for (const auto &item : v.items()) {
                if (item.kind() == ParamValue::Kind::Map) {
                    for (const auto &[k, x] : item.entries())
                        vars.set(k, x);
                } else if (item.kind() == ParamValue::Kind::String) {
                    QString name = item.toStringValue();
                    QStringList keys;
                    const int colon = int(name.indexOf(QLatin1Char(':')));
                    if (colon > 0) {
                        keys = name.mid(colon + 1).split(QLatin1Char(','), Qt::SkipEmptyParts);
                        name = name.left(colon);
                    }
                    auto clean = common::cleanRelativePath(name);
                    if (!clean)
                        return top.error(item, clean.status().message());
                    if (!QFile::exists(QDir(root).filePath(*clean)))
                        return top.error(item, QStringLiteral("the vars file '%1' does not exist").arg(*clean));
                    ORRERY_ASSIGN_OR_RETURN(auto loaded, loadParamsFile(QDir(root).filePath(*clean), *clean));
                    for (const auto &[k, x] : loaded.entries())
                        if (keys.isEmpty() || keys.contains(k))
                            vars.set(k, x);
                } else {
                    return top.error(item, QStringLiteral("an entry of vars is a file name or a map"));
                }
            }
        } else if (key != QLatin1String("metrics") && key != QLatin1String("plots") && key != QLatin1String("params")
                   && key != QLatin1String("artifacts") && key != QLatin1String("datasets")) {
            return top.error(v, QStringLiteral("unknown top-level key '%1' (dvc.yaml has stages, vars, params, metrics, plots, artifacts, datasets)").arg(key));
        }
        file.topLevel.emplace_back(key, v);
    }
    if (!stagesValue || stagesValue->kind() == ParamValue::Kind::Null)
        return file;
    if (stagesValue->kind() != ParamValue::Kind::Map)
        return top.error(*stagesValue, QStringLiteral("'stages' must be a map of stage names to stages"));

    static const QRegularExpression nameRe(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.-]*$"));
    Scope base;
    base.vars = &vars;
    QSet<QString> names;
    for (const auto &[name, body] : stagesValue->entries()) {
        if (!nameRe.match(name).hasMatch())
            return top.error(body, QStringLiteral("'%1' is not a valid stage name (letters, digits, '_', '-', '.')").arg(name));
        PipelineEntry entry;
        entry.name = name;
        const ParamValue *foreachV = body.kind() == ParamValue::Kind::Map ? body.find(QStringLiteral("foreach")) : nullptr;
        const ParamValue *matrixV = body.kind() == ParamValue::Kind::Map ? body.find(QStringLiteral("matrix")) : nullptr;
        if (foreachV || matrixV) {
            entry.generated = true;
            entry.raw = body;
            ParamValue matrixBody;
            const ParamValue *doV = body.find(QStringLiteral("do"));
            // Each generated stage: its name suffix and its locals.
            std::vector<std::pair<QString, std::vector<std::pair<QString, ParamValue>>>> instances;
            if (foreachV) {
                if (!doV)
                    return Reader{fileName, name, &base}.error(body, QStringLiteral("a foreach stage needs 'do'"));
                ParamValue items = *foreachV;
                if (items.kind() == ParamValue::Kind::String) {
                    // foreach: ${some.list}
                    auto r = Reader{fileName, name, &base};
                    const QString t = items.toStringValue().trimmed();
                    if (t.startsWith(QStringLiteral("${")) && t.endsWith(QLatin1Char('}'))) {
                        const ParamValue *found = base.lookup(t.mid(2, t.size() - 3).trimmed());
                        if (!found)
                            return r.error(items, QStringLiteral("%1 is not defined in params.yaml or vars").arg(t));
                        items = *found;
                    }
                }
                if (items.kind() == ParamValue::Kind::List) {
                    int i = 0;
                    for (const auto &item : items.items()) {
                        const QString suffix = item.isScalar() ? itemName(item) : QString::number(i);
                        instances.push_back({suffix, {{QStringLiteral("item"), item}}});
                        ++i;
                    }
                } else if (items.kind() == ParamValue::Kind::Map) {
                    for (const auto &[k, item] : items.entries())
                        instances.push_back({k, {{QStringLiteral("item"), item}, {QStringLiteral("key"), ParamValue::string(k)}}});
                } else {
                    return Reader{fileName, name, &base}.error(*foreachV, QStringLiteral("foreach must be a list or a map"));
                }
            } else {
                if (matrixV->kind() != ParamValue::Kind::Map || matrixV->entries().empty())
                    return Reader{fileName, name, &base}.error(*matrixV, QStringLiteral("matrix must be a map of names to lists"));
                // The cartesian product, first key outermost (as DVC does).
                std::vector<std::pair<QStringList, ParamValue>> combos = {{{}, ParamValue::map({})}};
                for (const auto &[mk, mv] : matrixV->entries()) {
                    ParamValue values = mv;
                    if (values.kind() == ParamValue::Kind::String) {
                        const QString t = values.toStringValue().trimmed();
                        if (t.startsWith(QStringLiteral("${")) && t.endsWith(QLatin1Char('}'))) {
                            const ParamValue *found = base.lookup(t.mid(2, t.size() - 3).trimmed());
                            if (!found)
                                return Reader{fileName, name, &base}.error(mv, QStringLiteral("%1 is not defined in params.yaml or vars").arg(t));
                            values = *found;
                        }
                    }
                    if (values.kind() != ParamValue::Kind::List || values.items().empty())
                        return Reader{fileName, name, &base}.error(mv, QStringLiteral("matrix '%1' must be a non-empty list").arg(mk));
                    std::vector<std::pair<QStringList, ParamValue>> next;
                    for (const auto &[parts, m] : combos) {
                        int i = 0;
                        for (const auto &v : values.items()) {
                            QStringList p = parts;
                            p << (v.isScalar() ? itemName(v) : mk + QString::number(i));
                            ParamValue m2 = m;
                            m2.entries().emplace_back(mk, v);
                            next.push_back({p, m2});
                            ++i;
                        }
                    }
                    combos = std::move(next);
                }
                for (const auto &[parts, m] : combos)
                    instances.push_back({parts.join(QLatin1Char('-')), {{QStringLiteral("item"), m}}});
                ParamValue bodyOnly = ParamValue::map({});
                for (const auto &[k, v] : body.entries())
                    if (k != QLatin1String("matrix"))
                        bodyOnly.entries().emplace_back(k, v);
                bodyOnly.setPosition(body.line(), body.column());
                matrixBody = bodyOnly;
                doV = &matrixBody;
            }
            for (const auto &[suffix, locals] : instances) {
                Scope scope = base;
                scope.locals = locals;
                const QString stageName = name + QLatin1Char('@') + suffix;
                Reader r{fileName, stageName, &scope};
                ORRERY_ASSIGN_OR_RETURN(auto s, r.stage(stageName, *doV));
                if (names.contains(stageName))
                    return r.error(body, QStringLiteral("two stages are named '%1'").arg(stageName));
                names.insert(stageName);
                entry.expanded.append(s);
            }
        } else {
            Reader r{fileName, name, &base};
            ORRERY_ASSIGN_OR_RETURN(auto s, r.stage(name, body));
            if (names.contains(name))
                return r.error(body, QStringLiteral("two stages are named '%1'").arg(name));
            names.insert(name);
            entry.stage = s;
            entry.raw = body;
            entry.asRead = s;
        }
        file.entries.append(entry);
    }
    return file;
}

Result<PipelineFile> PipelineFile::load(const QString &root)
{
    QFile f(QDir(root).filePath(kDvcYaml));
    if (!f.exists())
        return notFound(QStringLiteral("%1 has no dvc.yaml: describe the pipeline's stages there (see README, Pipelines)").arg(root));
    if (!f.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString()));
    return parse(f.readAll(), kDvcYaml, root);
}

QByteArray PipelineFile::serialize() const
{
    QString out;
    for (const auto &[key, v] : topLevel)
        if (key == QLatin1String("vars"))
            emitYamlEntry(out, key, v, 0);
    out += QStringLiteral("stages:\n");
    for (const auto &e : entries)
        emitYamlEntry(out, e.name, e.generated ? *e.raw : entryValue(e), 2);
    if (entries.isEmpty())
        out.replace(QStringLiteral("stages:\n"), QStringLiteral("stages: {}\n"));
    for (const auto &[key, v] : topLevel)
        if (key != QLatin1String("vars"))
            emitYamlEntry(out, key, v, 0);
    return out.toUtf8();
}

Status PipelineFile::save(const QString &root) const
{
    return common::writeFileAtomically(QDir(root).filePath(kDvcYaml), serialize());
}

void PipelineFile::setStage(const Stage &stage)
{
    for (auto &e : entries) {
        if (!e.generated && e.name == stage.name) {
            e.stage = stage;
            return;
        }
    }
    PipelineEntry e;
    e.name = stage.name;
    e.stage = stage;
    entries.append(e);
}

void PipelineFile::removeStage(const QString &name)
{
    for (int i = 0; i < entries.size(); ++i)
        if (entries[i].name == name) {
            entries.remove(i);
            return;
        }
}

QByteArray serializeYamlDocument(const ParamValue &value)
{
    QString out;
    if (value.kind() == ParamValue::Kind::Map) {
        for (const auto &[k, v] : value.entries())
            emitYamlEntry(out, k, v, 0);
    } else {
        emitYamlValue(out, value, 0);
        out = out.mid(1);
    }
    return out.toUtf8();
}

} // namespace orrery::pipeline
