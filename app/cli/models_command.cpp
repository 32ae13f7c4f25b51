// orrery-cli models list | show | register | promote | demote | alias | history | archive | card |
// gates | webhooks — the model registry (core/registry/model_registry.h) from a terminal.
//
// Writes take no workspace lock: each registry change is one SQLite transaction with its audit
// entry. Exit status: 0 done, 1 a check refused (a blocked promotion), 2 an error.
#include "app/cli/models_command.h"

#include "app/cli/models_webhooks_command.h"

#include "core/registry/model_file.h"
#include "core/registry/model_lineage.h"
#include "core/registry/webhook_dispatcher.h"
#include "core/store/database.h"
#include "core/tracking/artifact_store.h"
#include "core/workspace/workspace.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cmath>
#include <cstdio>

namespace orrery::cli {

using registry::ModelVersion;
using registry::RegisteredModel;

QString modelsIsoTime(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs) : QString();
}

QJsonObject modelJson(const RegisteredModel &m)
{
    QJsonObject tags, aliases;
    for (const auto &t : m.tags)
        tags.insert(t.key, t.value);
    for (const auto &a : m.aliases)
        aliases.insert(a.alias, a.version);
    const int champion = m.aliasVersion(QStringLiteral("champion"));
    const int challenger = m.aliasVersion(QStringLiteral("challenger"));
    return {{QStringLiteral("name"), m.name},
            {QStringLiteral("description"), m.description},
            {QStringLiteral("creation_time"), modelsIsoTime(m.creationTime)},
            {QStringLiteral("last_updated_time"), modelsIsoTime(m.lastUpdatedTime)},
            {QStringLiteral("versions"), m.versionCount},
            {QStringLiteral("latest_version"), m.latestVersion},
            {QStringLiteral("champion"), champion ? QJsonValue(champion) : QJsonValue()},
            {QStringLiteral("challenger"), challenger ? QJsonValue(challenger) : QJsonValue()},
            {QStringLiteral("aliases"), aliases},
            {QStringLiteral("tags"), tags}};
}

QJsonObject versionJson(const ModelVersion &v)
{
    QJsonObject tags;
    for (const auto &t : v.tags)
        tags.insert(t.key, t.value);
    QJsonArray outcomes;
    for (const auto &o : v.gateOutcomes)
        outcomes.append(QJsonObject{{QStringLiteral("gate"), o.gate}, {QStringLiteral("passed"), o.passed}, {QStringLiteral("explanation"), o.explanation}});
    return {{QStringLiteral("name"), v.name},
            {QStringLiteral("version"), v.version},
            {QStringLiteral("creation_time"), modelsIsoTime(v.creationTime)},
            {QStringLiteral("last_updated_time"), modelsIsoTime(v.lastUpdatedTime)},
            {QStringLiteral("description"), v.description},
            {QStringLiteral("source"), v.source},
            {QStringLiteral("run_id"), v.runId},
            {QStringLiteral("parent_run_id"), v.parentRunId()},
            {QStringLiteral("status"), registry::versionStatusName(v.status)},
            {QStringLiteral("status_message"), v.statusMessage},
            {QStringLiteral("stage"), v.stage},
            {QStringLiteral("archived"), v.archived},
            {QStringLiteral("user_id"), v.userId},
            {QStringLiteral("model_md5"), v.modelMd5},
            {QStringLiteral("model_size"), double(v.modelSize)},
            {QStringLiteral("model_file_name"), v.modelFileName},
            {QStringLiteral("format"), v.format},
            {QStringLiteral("signature"), v.signature},
            {QStringLiteral("servable"), v.servable()},
            {QStringLiteral("not_servable_reason"), v.servable() ? QString() : (v.notServableReason.isEmpty() ? QStringLiteral("its file is not stored here") : v.notServableReason)},
            {QStringLiteral("lineage"), v.lineage},
            {QStringLiteral("commit"), v.commit()},
            {QStringLiteral("dirty"), v.lineage.value(QStringLiteral("dirty")).toBool()},
            {QStringLiteral("validation"), registry::validationName(v.validation)},
            {QStringLiteral("gate_outcomes"), outcomes},
            {QStringLiteral("card"), v.card},
            {QStringLiteral("tags"), tags},
            {QStringLiteral("aliases"), QJsonArray::fromStringList(v.aliases)}};
}

QJsonObject aliasChangeJson(const registry::AliasChange &c)
{
    return {{QStringLiteral("time"), modelsIsoTime(c.time)},
            {QStringLiteral("name"), c.name},
            {QStringLiteral("alias"), c.alias},
            {QStringLiteral("version"), c.version ? QJsonValue(c.version) : QJsonValue()},
            {QStringLiteral("previous"), c.previous ? QJsonValue(c.previous) : QJsonValue()},
            {QStringLiteral("actor"), c.actor},
            {QStringLiteral("reason"), c.reason}};
}

Result<int> parseVersionNumber(const QString &text, const QString &what)
{
    QString t = text.trimmed();
    if (t.startsWith(QLatin1Char('v')) || t.startsWith(QLatin1Char('V')))
        t = t.mid(1);
    bool ok = false;
    const int n = t.toInt(&ok);
    if (!ok || n <= 0)
        return invalidArgument(QStringLiteral("%1 '%2' is no version number; give a whole number such as 3 (see `orrery-cli models show NAME`)").arg(what, text));
    return n;
}

int failModels(const Status &status, const QString &hint)
{
    QString message = status.message();
    if (!hint.isEmpty() && !message.contains(QLatin1Char('`')))
        message += QStringLiteral("; ") + hint;
    return fail(message);
}

std::optional<ModelReference> parseModelReference(const QString &text)
{
    QString rest = text;
    const bool uri = rest.startsWith(QLatin1String("models:/"));
    if (uri)
        rest = rest.mid(8);
    ModelReference ref;
    const int at = rest.lastIndexOf(QLatin1Char('@'));
    const int slash = rest.lastIndexOf(QLatin1Char('/'));
    if (at > 0 && at > slash) {
        ref.name = rest.left(at);
        ref.alias = rest.mid(at + 1);
        return ref;
    }
    if (slash > 0) {
        ref.name = rest.left(slash);
        bool ok = false;
        ref.version = rest.mid(slash + 1).toInt(&ok);
        if (!ok || ref.version <= 0) {
            if (!uri)
                return std::nullopt;
            ref.version = -1; // models:/NAME/SOMETHING: a bad version, reported by the caller
        }
        return ref;
    }
    if (uri) {
        ref.name = rest; // models:/NAME without a version: reported by the caller
        ref.version = -1;
        return ref;
    }
    return std::nullopt;
}

namespace {

int list(ModelsCall &call)
{
    if (!call.args.isEmpty())
        return call.p.usageError(QStringLiteral("`models list` takes no arguments (filter with --filter LIKE)"));
    registry::ModelQuery q;
    q.nameLike = call.p.value(QStringLiteral("filter"));
    auto models = call.registry.models(q);
    if (!models)
        return failModels(models.status());
    if (call.p.json()) {
        QJsonArray array;
        for (const auto &m : *models)
            array.append(modelJson(m));
        printJson(array);
        return ExitOk;
    }
    if (models->isEmpty()) {
        out(q.nameLike.isEmpty() ? QStringLiteral("No registered models. Register one with `orrery-cli models register NAME --file MODEL`.")
                                 : QStringLiteral("No registered model matches '%1'.").arg(q.nameLike));
        return ExitOk;
    }
    out(QStringLiteral("%1  %2  %3  %4  %5").arg(QStringLiteral("NAME"), -24).arg(QStringLiteral("VERSIONS"), 8).arg(QStringLiteral("CHAMPION"), -9)
            .arg(QStringLiteral("CHALLENGER"), -10).arg(QStringLiteral("LAST UPDATED (UTC)")));
    for (const auto &m : *models) {
        const int champion = m.aliasVersion(QStringLiteral("champion"));
        const int challenger = m.aliasVersion(QStringLiteral("challenger"));
        out(QStringLiteral("%1  %2  %3  %4  %5").arg(m.name, -24).arg(m.versionCount, 8)
                .arg(champion ? QStringLiteral("v%1").arg(champion) : QStringLiteral("-"), -9)
                .arg(challenger ? QStringLiteral("v%1").arg(challenger) : QStringLiteral("-"), -10)
                .arg(modelsIsoTime(m.lastUpdatedTime).left(19).replace(QLatin1Char('T'), QLatin1Char(' '))));
    }
    return ExitOk;
}

void printVersion(const ModelVersion &v)
{
    out(QStringLiteral("%1 v%2%3%4").arg(v.name).arg(v.version).arg(v.aliases.isEmpty() ? QString() : QStringLiteral("  @") + v.aliases.join(QStringLiteral(" @")),
                                                                   v.archived ? QStringLiteral("  (archived)") : QString()));
    if (!v.description.isEmpty())
        out(QStringLiteral("  %1").arg(v.description));
    out(QStringLiteral("  registered  %1 by %2, %3").arg(modelsIsoTime(v.creationTime), v.userId, registry::versionStatusName(v.status)));
    out(QStringLiteral("  source      %1").arg(v.source));
    out(QStringLiteral("  file        %1  md5 %2  %3 bytes  format %4").arg(v.modelFileName.isEmpty() ? QStringLiteral("(none)") : v.modelFileName,
                                                                            v.modelMd5.isEmpty() ? QStringLiteral("-") : v.modelMd5)
            .arg(v.modelSize).arg(v.format));
    out(v.servable() ? QStringLiteral("  servable    yes")
                     : QStringLiteral("  servable    no: %1").arg(v.notServableReason.isEmpty() ? QStringLiteral("its file is not stored here") : v.notServableReason));
    const QJsonObject &l = v.lineage;
    out(QStringLiteral("  run         %1%2").arg(v.runId.isEmpty() ? QStringLiteral("(none: registered from a file)") : v.runId,
                                               l.value(QStringLiteral("run_name")).toString().isEmpty() ? QString() : QStringLiteral(" (%1)").arg(l.value(QStringLiteral("run_name")).toString())));
    if (!v.parentRunId().isEmpty())
        out(QStringLiteral("  parent run  %1").arg(v.parentRunId()));
    if (!l.value(QStringLiteral("experiment_id")).toString().isEmpty())
        out(QStringLiteral("  experiment  %1").arg(l.value(QStringLiteral("experiment_id")).toString()));
    if (!v.commit().isEmpty())
        out(QStringLiteral("  code        commit %1%2%3").arg(v.commit(),
                                                             l.value(QStringLiteral("branch")).toString().isEmpty() ? QString() : QStringLiteral(" on ") + l.value(QStringLiteral("branch")).toString(),
                                                             l.value(QStringLiteral("dirty")).toBool() ? QStringLiteral(", with uncommitted changes (dirty)") : QStringLiteral(", clean")));
    for (const QJsonValue &d : l.value(QStringLiteral("data")).toArray())
        out(QStringLiteral("  data        %1  md5 %2").arg(d.toObject().value(QStringLiteral("path")).toString(), d.toObject().value(QStringLiteral("md5")).toString()));
    const QJsonObject params = l.value(QStringLiteral("params")).toObject();
    if (!params.isEmpty()) {
        out(QStringLiteral("Params"));
        for (auto it = params.begin(); it != params.end(); ++it)
            out(QStringLiteral("  %1 = %2").arg(it.key(), it.value().toVariant().toString()));
    }
    const QJsonObject metrics = l.value(QStringLiteral("metrics")).toObject();
    if (!metrics.isEmpty()) {
        out(QStringLiteral("Metrics"));
        for (auto it = metrics.begin(); it != metrics.end(); ++it)
            out(QStringLiteral("  %1 = %2").arg(it.key()).arg(it.value().toDouble(), 0, 'g', 6));
    }
    out(QStringLiteral("Signature"));
    if (v.signature.isEmpty()) {
        out(QStringLiteral("  (none)"));
    } else {
        for (const QString &side : {QStringLiteral("inputs"), QStringLiteral("outputs")})
            for (const QJsonValue &io : v.signature.value(side).toArray()) {
                const QJsonObject o = io.toObject();
                QStringList shape;
                for (const QJsonValue &s : o.value(QStringLiteral("shape")).toArray())
                    shape << QString::number(s.toInt());
                // What an Orrery export does with a category it never saw (data.unseen): a
                // strict model fails the requests that hold one.
                const QString unseen = o.value(QStringLiteral("unseen")).toString();
                const QString note = unseen == QLatin1String("error") ? QStringLiteral("  unseen categories: error (refused: the request fails)")
                                     : unseen.isEmpty()                ? QString()
                                                                       : QStringLiteral("  unseen categories: %1").arg(unseen);
                out(QStringLiteral("  %1 %2  %3 [%4]%5").arg(side.chopped(1), o.value(QStringLiteral("name")).toString(), o.value(QStringLiteral("dtype")).toString(),
                                                            shape.join(QStringLiteral(", ")), note));
            }
    }
    out(QStringLiteral("Validation  %1").arg(registry::validationName(v.validation)));
    if (v.validation == registry::Validation::NotRun)
        out(QStringLiteral("  not validated: the pipeline's register stage validates a version against the model's gates"));
    for (const auto &o : v.gateOutcomes)
        out(QStringLiteral("  [%1] %2: %3").arg(o.passed ? QStringLiteral("pass") : QStringLiteral("FAIL"), o.gate, o.explanation));
    if (!v.tags.isEmpty()) {
        out(QStringLiteral("Tags"));
        for (const auto &t : v.tags)
            out(QStringLiteral("  %1 = %2").arg(t.key, t.value));
    }
    out(QStringLiteral("Card"));
    out(v.card.isEmpty() ? QStringLiteral("  (none; write one with `orrery-cli models card %1 %2 --set CARD.md`)").arg(v.name).arg(v.version) : v.card);
}

int show(ModelsCall &call)
{
    if (call.args.size() != 1)
        return call.p.usageError(QStringLiteral("expected `models show NAME [--version N]`"));
    const QString name = call.args.first();
    if (const Status s = registry::ModelRegistry::validateModelName(name); !s)
        return failModels(s);
    if (call.p.isSet(QStringLiteral("version"))) {
        auto number = parseVersionNumber(call.p.value(QStringLiteral("version")), QStringLiteral("--version"));
        if (!number)
            return failModels(number.status());
        auto v = call.registry.version(name, *number);
        if (!v)
            return failModels(v.status(), QStringLiteral("see the versions with `orrery-cli models show %1`").arg(name));
        if (call.p.json())
            printJson(versionJson(*v));
        else
            printVersion(*v);
        return ExitOk;
    }
    auto m = call.registry.model(name);
    if (!m)
        return failModels(m.status(), QStringLiteral("see the registered models with `orrery-cli models list`"));
    auto gates = call.registry.gates(name);
    if (!gates)
        return failModels(gates.status());
    registry::VersionQuery q;
    q.name = name;
    auto versions = call.registry.versions(q);
    if (!versions)
        return failModels(versions.status());
    if (call.p.json()) {
        QJsonObject o = modelJson(*m);
        QJsonObject g = gates->toJson();
        g.insert(QStringLiteral("description"), QJsonArray::fromStringList(gates->describe()));
        o.insert(QStringLiteral("gates"), g);
        QJsonArray vs;
        for (const auto &v : *versions)
            vs.append(QJsonObject{{QStringLiteral("version"), v.version},
                                  {QStringLiteral("creation_time"), modelsIsoTime(v.creationTime)},
                                  {QStringLiteral("run_id"), v.runId},
                                  {QStringLiteral("validation"), registry::validationName(v.validation)},
                                  {QStringLiteral("servable"), v.servable()},
                                  {QStringLiteral("archived"), v.archived},
                                  {QStringLiteral("aliases"), QJsonArray::fromStringList(v.aliases)}});
        o.insert(QStringLiteral("version_list"), vs);
        printJson(o);
        return ExitOk;
    }
    out(QStringLiteral("%1  (%2 versions, last updated %3)").arg(m->name).arg(m->versionCount).arg(modelsIsoTime(m->lastUpdatedTime)));
    if (!m->description.isEmpty())
        out(QStringLiteral("  %1").arg(m->description));
    out(QStringLiteral("Aliases"));
    if (m->aliases.isEmpty())
        out(QStringLiteral("  (none)"));
    for (const auto &a : m->aliases)
        out(QStringLiteral("  @%1 → v%2").arg(a.alias).arg(a.version));
    out(QStringLiteral("Gates"));
    for (const QString &line : gates->describe())
        out(QStringLiteral("  ") + line);
    if (!m->tags.isEmpty()) {
        out(QStringLiteral("Tags"));
        for (const auto &t : m->tags)
            out(QStringLiteral("  %1 = %2").arg(t.key, t.value));
    }
    out(QStringLiteral("Versions"));
    for (const auto &v : *versions)
        out(QStringLiteral("  v%1  %2  %3  %4%5%6").arg(v.version).arg(modelsIsoTime(v.creationTime).left(19).replace(QLatin1Char('T'), QLatin1Char(' ')))
                .arg(registry::validationName(v.validation), -8)
                .arg(v.servable() ? QStringLiteral("servable") : QStringLiteral("not servable"))
                .arg(v.aliases.isEmpty() ? QString() : QStringLiteral("  @") + v.aliases.join(QStringLiteral(" @")))
                .arg(v.archived ? QStringLiteral("  (archived)") : QString()));
    return ExitOk;
}

// A run named by its id or a unique prefix of it (as `runs show` takes it).
Result<QString> resolveRun(store::Database &db, const QString &idOrPrefix)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT id FROM runs WHERE id GLOB ? LIMIT 2")));
    s.bind(1, QString(idOrPrefix).remove(QLatin1Char('*')).remove(QLatin1Char('?')).remove(QLatin1Char('[')) + QLatin1Char('*'));
    QStringList ids;
    while (s.next())
        ids << s.text(0);
    ORRERY_TRY(s.status());
    if (ids.isEmpty() || idOrPrefix.isEmpty())
        return notFound(QStringLiteral("no run with id '%1'; see the runs with `orrery-cli runs list`").arg(idOrPrefix));
    if (ids.size() > 1)
        return invalidArgument(QStringLiteral("'%1' names more than one run; give more of the id").arg(idOrPrefix));
    return ids.first();
}

int registerVersion(ModelsCall &call)
{
    if (call.args.size() != 1)
        return call.p.usageError(QStringLiteral("expected `models register NAME (--file PATH | --run RUN_ID [--file PATH])`"));
    const QString name = call.args.first();
    if (const Status s = registry::ModelRegistry::validateModelName(name); !s)
        return failModels(s, QStringLiteral("choose another name"));
    const bool hasFile = call.p.isSet(QStringLiteral("file"));
    const bool hasRun = call.p.isSet(QStringLiteral("run"));
    if (!hasFile && !hasRun)
        return call.p.usageError(QStringLiteral("give the model with --file PATH or --run RUN_ID"));
    store::Database &db = call.ws.database();
    registry::NewVersion nv;
    nv.name = name;
    nv.description = call.p.value(QStringLiteral("description"));
    for (const QString &tag : call.p.parser().values(QStringLiteral("tag"))) {
        const int eq = tag.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return call.p.usageError(QStringLiteral("--tag '%1': write it as KEY=VALUE").arg(tag));
        nv.tags.append({tag.left(eq), tag.mid(eq + 1)});
    }
    QString runId;
    if (hasRun) {
        auto id = resolveRun(db, call.p.value(QStringLiteral("run")));
        if (!id)
            return failModels(id.status());
        runId = *id;
    }
    QJsonObject lineage;
    if (!runId.isEmpty()) {
        auto l = registry::lineageOfRun(db, runId);
        if (!l)
            return failModels(l.status());
        lineage = *l;
    }
    QString path;
    if (hasFile) {
        path = QFileInfo(call.p.value(QStringLiteral("file"))).absoluteFilePath();
        if (!QFileInfo::exists(path))
            return fail(QStringLiteral("model file %1 does not exist; give the path of a model file (models/model.pt after `orrery-cli run`)").arg(path));
        const QString rel = QDir(call.ws.root()).relativeFilePath(path);
        nv.source = rel.startsWith(QLatin1String("..")) ? path : rel;
    } else {
        // The model the run logged: orrery-train tags its run with orrery.model_artifact
        // (model/model.pt, the signature inside the archive).
        QString logged = QStringLiteral("model/model.pt");
        {
            auto s = db.prepare(QStringLiteral("SELECT value FROM tags WHERE run_id = ? AND key = 'orrery.model_artifact'"));
            if (!s)
                return failModels(s.status());
            s->bind(1, runId);
            if (s->next() && !s->text(0).isEmpty())
                logged = s->text(0);
        }
        const QString artifact = lineage.value(QStringLiteral("experiment_id")).toString() + QLatin1Char('/') + runId + QStringLiteral("/artifacts/") + logged;
        auto file = tracking::ArtifactStore(db, call.ws.cacheDir()).fileFor(artifact);
        if (!file)
            return fail(QStringLiteral("run %1 logged no model (%2): name the run that trained it (its tag orrery.model_artifact), or give the model file with --file PATH")
                            .arg(runId, file.status().message()));
        path = *file;
        nv.source = QStringLiteral("runs:/%1/%2").arg(runId, logged);
    }
    auto stored = registry::storeModelFile(call.ws.cacheDir(), path);
    if (!stored)
        return failModels(stored.status());
    nv.modelMd5 = stored->md5;
    nv.modelSize = stored->size;
    nv.modelFileName = hasFile ? stored->fileName : QFileInfo(nv.source).fileName();
    nv.format = stored->info.format;
    nv.signature = stored->info.signature;
    nv.notServableReason = stored->info.notServableReason;
    if (runId.isEmpty() && !stored->md5.isEmpty()) {
        // The run that wrote this file (orrery-train tags its runs with the model's md5).
        auto found = registry::runOfModelFile(db, stored->md5);
        if (!found)
            return failModels(found.status());
        runId = *found;
        if (!runId.isEmpty()) {
            auto l = registry::lineageOfRun(db, runId);
            if (!l)
                return failModels(l.status());
            lineage = *l;
        }
    }
    nv.runId = runId;
    nv.lineage = lineage;
    nv.validation = registry::Validation::NotRun;
    auto created = call.registry.createVersion(nv);
    if (!created)
        return failModels(created.status());
    if (call.p.json()) {
        printJson(versionJson(*created));
        return ExitOk;
    }
    out(QStringLiteral("Registered %1 v%2").arg(created->name).arg(created->version));
    out(QStringLiteral("  file %1  md5 %2  format %3").arg(created->modelFileName, created->modelMd5.isEmpty() ? QStringLiteral("-") : created->modelMd5, created->format));
    out(QStringLiteral("  run  %1").arg(runId.isEmpty() ? QStringLiteral("(none found: no run is tagged with this file's md5)") : runId));
    if (!created->servable())
        out(QStringLiteral("  not servable: %1").arg(created->notServableReason.isEmpty() ? QStringLiteral("its file is not stored here") : created->notServableReason));
    out(QStringLiteral("  validation not run: the pipeline's register stage validates versions against the gates; until then `models promote` refuses it"));
    return ExitOk;
}

} // namespace

int runModels(const Context &context)
{
    // The webhooks subcommand has its own options (app/cli/models_webhooks_command.cpp).
    if (!context.args.isEmpty() && context.args.first() == QLatin1String("webhooks"))
        return runModelsWebhooks(context.args.mid(1), context);

    CommandParser p(context, QStringLiteral("models"),
                    QStringLiteral(
                        "The model registry: registered models, versions with lineage, aliases, champion and challenger.\n"
                        "  list [--filter LIKE]                      name, versions, champion, challenger, last updated\n"
                        "  show NAME [--version N]                   the model (aliases, gates, versions) or one version\n"
                        "  register NAME (--file PATH | --run RUN [--file PATH]) [--description D] [--tag K=V]...\n"
                        "                                            store the file in the workspace cache with its lineage;\n"
                        "                                            the version is NOT validated: the pipeline's register\n"
                        "                                            stage is the path that validates against the gates\n"
                        "  promote NAME [--version N] [--reason R]   champion → N (default: the challenger); exit 1 when blocked\n"
                        "  demote NAME [--reason R]                  champion back to the version that held it before\n"
                        "  alias NAME ALIAS VERSION | alias NAME ALIAS --delete\n"
                        "  history NAME [--alias A] [--at TIME]      every alias move; with --at, which version held each alias\n"
                        "                                            then (ISO 8601 or \"2026-12-04 21:00\", local, or UTC with Z)\n"
                        "  archive NAME VERSION [--undo]             an archived version holds no alias and cannot be promoted\n"
                        "  card NAME VERSION [--set CARD.md | --print]   the version's model card (Markdown)\n"
                        "  gates NAME [--rules \"roc_auc >= 0.8, ...\"] [--beats-champion METRIC --min-improvement X\n"
                        "             [--lower-is-better]] [--no-data-tests] [--no-signature-check]   show or set the gates\n"
                        "  webhooks ...                              the registry's webhooks (models webhooks --help)\n"
                        "Names: no '/', no '..', no control characters. Exit status: 0 done, 1 a promotion was blocked, 2 an error."));
    p.parser().addPositionalArgument(QStringLiteral("SUBCOMMAND"), QStringLiteral("list, show, register, promote, demote, alias, history, archive, card, gates or webhooks"));
    p.parser().addOptions({
        {QStringLiteral("filter"), QStringLiteral("list: an SQL LIKE pattern on the name, e.g. '%fraud%'."), QStringLiteral("LIKE")},
        {QStringLiteral("version"), QStringLiteral("show, promote: the version."), QStringLiteral("N")},
        {QStringLiteral("file"), QStringLiteral("register: the model file."), QStringLiteral("PATH")},
        {QStringLiteral("run"), QStringLiteral("register: the run that made the model (id or unique prefix)."), QStringLiteral("RUN_ID")},
        {QStringLiteral("description"), QStringLiteral("register: the version's description."), QStringLiteral("TEXT")},
        {QStringLiteral("tag"), QStringLiteral("register: a tag of the version (repeatable)."), QStringLiteral("KEY=VALUE")},
        {QStringLiteral("reason"), QStringLiteral("promote, demote, alias, archive, gates: why (kept in the history and the audit log)."), QStringLiteral("TEXT")},
        {QStringLiteral("delete"), QStringLiteral("alias: remove the alias.")},
        {QStringLiteral("undo"), QStringLiteral("archive: bring the version back.")},
        {QStringLiteral("alias"), QStringLiteral("history: only this alias."), QStringLiteral("ALIAS")},
        {QStringLiteral("at"), QStringLiteral("history: which version held each alias at this time."), QStringLiteral("TIME")},
        {QStringLiteral("set"), QStringLiteral("card: replace the card with this Markdown file."), QStringLiteral("FILE.md")},
        {QStringLiteral("print"), QStringLiteral("card: print the card's Markdown only.")},
        {QStringLiteral("rules"), QStringLiteral("gates: metric thresholds, e.g. \"roc_auc >= 0.8, recall >= 0.5\" (\"\" clears them)."), QStringLiteral("RULES")},
        {QStringLiteral("beats-champion"), QStringLiteral("gates: the version must beat the champion on METRIC on the same holdout (\"\" clears)."), QStringLiteral("METRIC")},
        {QStringLiteral("min-improvement"), QStringLiteral("gates: by at least X (default 0)."), QStringLiteral("X")},
        {QStringLiteral("lower-is-better"), QStringLiteral("gates: the champion metric is a loss.")},
        {QStringLiteral("no-data-tests"), QStringLiteral("gates: do not require the data tests to pass.")},
        {QStringLiteral("data-tests"), QStringLiteral("gates: require the data tests to pass (the default).")},
        {QStringLiteral("no-signature-check"), QStringLiteral("gates: do not require a signature compatible with the champion's.")},
        {QStringLiteral("signature-check"), QStringLiteral("gates: require a signature compatible with the champion's (the default).")},
    });
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    QStringList args = p.positional();
    if (args.isEmpty())
        return p.usageError(QStringLiteral("give a subcommand: list, show, register, promote, demote, alias, history, archive, card, gates or webhooks"));
    const QString sub = args.takeFirst();
    static const QStringList known = {QStringLiteral("list"), QStringLiteral("show"), QStringLiteral("register"), QStringLiteral("promote"),
                                      QStringLiteral("demote"), QStringLiteral("alias"), QStringLiteral("history"), QStringLiteral("archive"),
                                      QStringLiteral("card"), QStringLiteral("gates")};
    if (!known.contains(sub))
        return p.usageError(QStringLiteral("unknown subcommand '%1': expected list, show, register, promote, demote, alias, history, archive, card, gates or webhooks").arg(sub));
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    registry::ModelRegistry registry((*ws)->database());
    ModelsCall call{p, args, **ws, registry};
    if (sub == QLatin1String("list"))
        return list(call);
    if (sub == QLatin1String("show"))
        return show(call);
    if (sub == QLatin1String("history"))
        return modelsHistory(call);
    const int result = sub == QLatin1String("register")  ? registerVersion(call)
                       : sub == QLatin1String("promote") ? modelsPromote(call)
                       : sub == QLatin1String("demote")  ? modelsDemote(call)
                       : sub == QLatin1String("alias")   ? modelsAlias(call)
                       : sub == QLatin1String("archive") ? modelsArchive(call)
                       : sub == QLatin1String("card")    ? modelsCard(call)
                                                         : modelsGates(call);
    // The command that made a change tries its webhook deliveries once, now (at most a few
    // seconds); what fails is retried by the process holding the delivery lease (tracking serve).
    auto sent = registry::deliverPendingNow((*ws)->database());
    if (!sent)
        std::fprintf(stderr, "orrery-cli: webhook deliveries not tried: %s\n", qPrintable(sent.status().message()));
    else if (sent->failedAttempts > 0)
        std::fprintf(stderr, "orrery-cli: %d webhook delivery(ies) failed; `orrery-cli models webhooks deliveries` says why, "
                             "and `tracking serve` retries them\n", sent->failedAttempts);
    return result;
}

} // namespace orrery::cli
