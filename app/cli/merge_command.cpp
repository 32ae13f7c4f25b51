// orrery-cli merge BRANCH: three-way merge of dvc.yaml and params.yaml from another branch into the
// work tree, per stage and per param (core/pipeline/pipeline_merge.h over core/vcs's three sides).
// Conflicts are listed with both values and nothing is written until each is resolved
// (--resolve KEY=ours|theirs, or --take ours|theirs for all). Exit 1 while conflicts remain.
#include "app/cli/cli.h"

#include "core/common/atomic_file.h"
#include "core/pipeline/pipeline_file.h"
#include "core/pipeline/pipeline_graph.h"
#include "core/pipeline/pipeline_merge.h"
#include "core/vcs/merge_sides.h"
#include "core/vcs/repository.h"
#include "core/workspace/workspace.h"
#include "core/workspace/workspace_lock.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QVariant>

#include <cstdio>

namespace orrery::cli {
namespace {

QJsonValue valueJson(const std::optional<pipeline::ParamValue> &v)
{
    return v ? QJsonValue(pipeline::describeValue(v)) : QJsonValue();
}

} // namespace

int runMerge(const Context &context)
{
    CommandParser cmd(context, QStringLiteral("merge"),
                      QStringLiteral("Three-way merge of dvc.yaml and params.yaml from BRANCH into the work tree: per stage and per param,\n"
                                     "so edits of different stages or params combine. Conflicts are listed with both values and nothing\n"
                                     "is written until each is resolved. Commit the result; `git merge` handles the other files."));
    cmd.parser().addPositionalArgument(QStringLiteral("BRANCH"), QStringLiteral("The branch (or commit) to merge from."));
    cmd.parser().addOption({QStringLiteral("resolve"), QStringLiteral("Resolve one conflict, e.g. --resolve stages.train=theirs or train.lr=ours (repeatable)."),
                            QStringLiteral("KEY=SIDE")});
    cmd.parser().addOption({QStringLiteral("take"), QStringLiteral("Resolve every remaining conflict with this side: ours or theirs."), QStringLiteral("SIDE")});
    cmd.addJsonOption();
    int code = 0;
    if (!cmd.parse(&code))
        return code;
    if (cmd.positional().size() != 1)
        return cmd.usageError(QStringLiteral("give one branch to merge from"));
    const QString branch = cmd.positional().first();
    QHash<QString, pipeline::Side> resolutions;
    for (const QString &r : cmd.parser().values(QStringLiteral("resolve"))) {
        const int eq = int(r.lastIndexOf(QLatin1Char('=')));
        const QString side = eq > 0 ? r.mid(eq + 1) : QString();
        if (eq <= 0 || (side != QLatin1String("ours") && side != QLatin1String("theirs")))
            return cmd.usageError(QStringLiteral("--resolve takes KEY=ours or KEY=theirs, not '%1'").arg(r));
        resolutions.insert(r.left(eq), side == QLatin1String("ours") ? pipeline::Side::Ours : pipeline::Side::Theirs);
    }
    std::optional<pipeline::Side> all;
    if (cmd.isSet(QStringLiteral("take"))) {
        const QString side = cmd.value(QStringLiteral("take"));
        if (side != QLatin1String("ours") && side != QLatin1String("theirs"))
            return cmd.usageError(QStringLiteral("--take is ours or theirs, not '%1'").arg(side));
        all = side == QLatin1String("ours") ? pipeline::Side::Ours : pipeline::Side::Theirs;
    }

    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    const QString root = (*ws)->root();
    auto lock = workspace::WorkspaceLock::acquire(root, QStringLiteral("workspace"), QStringLiteral("orrery-cli merge"));
    if (!lock)
        return fail(lock.status());
    auto repo = vcs::Repository::discover(root);
    if (!repo)
        return fail(repo.status());
    // Paths relative to the repository's work tree (the workspace may be a subfolder of it).
    const QString workdir = QDir((*repo)->workdir()).absolutePath();
    const QString prefix = QDir(workdir).relativeFilePath(root);
    auto repoPath = [&](const QString &name) { return prefix == QLatin1String(".") || prefix.isEmpty() ? name : prefix + QLatin1Char('/') + name; };
    const QStringList files = {QStringLiteral("dvc.yaml"), QStringLiteral("params.yaml")};
    for (const QString &f : files) {
        auto dirty = vcs::differsFromHead(**repo, repoPath(f));
        if (!dirty)
            return fail(dirty.status());
        if (*dirty)
            return fail(QStringLiteral("%1 has uncommitted changes: commit them first (the merge compares committed versions, and must not overwrite your edits)").arg(f));
    }
    QStringList paths;
    for (const QString &f : files)
        paths << repoPath(f);
    auto sides = vcs::readMergeSides(**repo, branch, paths);
    if (!sides)
        return fail(sides.status());

    struct FileResult {
        QString name;
        pipeline::DocumentMerge merge;
        std::optional<QByteArray> ours;
        std::optional<QByteArray> text; // merged, serialized
    };
    QVector<FileResult> results;
    for (int i = 0; i < files.size(); ++i) {
        const auto &side = sides->files[i].second;
        auto parse = [&](const std::optional<QByteArray> &bytes, const QString &where) -> Result<std::optional<pipeline::ParamValue>> {
            if (!bytes)
                return std::optional<pipeline::ParamValue>();
            ORRERY_ASSIGN_OR_RETURN(auto doc, pipeline::parseYamlDocument(*bytes, where));
            return std::optional<pipeline::ParamValue>(doc);
        };
        auto b = parse(side.base, QStringLiteral("%1 (merge base %2)").arg(files[i], sides->baseCommit.left(8)));
        auto o = parse(side.ours, QStringLiteral("%1 (HEAD)").arg(files[i]));
        auto t = parse(side.theirs, QStringLiteral("%1 (%2)").arg(files[i], branch));
        for (const auto *r : {&b, &o, &t})
            if (!r->isOk())
                return fail(r->status());
        FileResult fr;
        fr.name = files[i];
        fr.ours = side.ours;
        fr.merge = pipeline::mergeDocuments(i == 0 ? pipeline::MergeKind::Pipeline : pipeline::MergeKind::Params, **b, **o, **t, resolutions, all);
        if (fr.merge.merged)
            fr.text = pipeline::serializeYamlDocument(*fr.merge.merged);
        results.append(fr);
    }

    int conflicts = 0;
    QJsonArray conflictsJson;
    for (const auto &fr : results)
        for (const auto &c : fr.merge.conflicts) {
            ++conflicts;
            conflictsJson.append(QJsonObject{{QStringLiteral("file"), fr.name}, {QStringLiteral("key"), c.key}, {QStringLiteral("base"), valueJson(c.base)},
                                             {QStringLiteral("ours"), valueJson(c.ours)}, {QStringLiteral("theirs"), valueJson(c.theirs)}});
        }
    if (conflicts > 0) {
        if (cmd.json()) {
            printJson(QJsonObject{{QStringLiteral("merged"), false}, {QStringLiteral("conflicts"), conflictsJson}});
        } else {
            for (const auto &fr : results)
                for (const auto &c : fr.merge.conflicts)
                    out(QStringLiteral("CONFLICT %1: %2\n  base:   %3\n  ours:   %4\n  theirs: %5")
                            .arg(fr.name, c.key, pipeline::describeValue(c.base), pipeline::describeValue(c.ours), pipeline::describeValue(c.theirs)));
        }
        std::fprintf(stderr,
                     "orrery-cli: %d conflict(s) between HEAD and %s; nothing was written. Choose a side for each with "
                     "--resolve KEY=ours|theirs (or --take ours|theirs) and run the merge again.\n",
                     conflicts, qPrintable(branch));
        return ExitProblem;
    }

    // The merged pipeline must still be a pipeline: parse it with the merged params, build its graph.
    QTemporaryDir check;
    for (const auto &fr : results)
        if (fr.text)
            (void)common::writeFileAtomically(check.filePath(fr.name), *fr.text);
    if (results[0].text) {
        auto merged = pipeline::PipelineFile::parse(*results[0].text, QStringLiteral("dvc.yaml (merged)"), check.path());
        if (!merged)
            return fail(QStringLiteral("the merged pipeline is not valid, so nothing was written: %1").arg(merged.status().message()));
        auto graph = pipeline::PipelineGraph::build(merged->stages());
        if (!graph)
            return fail(QStringLiteral("the merged pipeline is not valid, so nothing was written: %1").arg(graph.status().message()));
    }
    QJsonArray written, taken;
    for (const auto &fr : results) {
        const QString path = QDir(root).filePath(fr.name);
        for (const auto &k : fr.merge.fromTheirs)
            taken.append(fr.name + QLatin1Char(':') + k);
        if (!fr.merge.fromTheirs.isEmpty() || fr.text.has_value() != fr.ours.has_value()) {
            if (fr.text) {
                const Status s = common::writeFileAtomically(path, *fr.text);
                if (!s.isOk())
                    return fail(s);
            } else {
                QFile::remove(path);
            }
            written.append(fr.name);
        }
    }
    recordAudit(**ws, QStringLiteral("pipeline.merge"), root,
                {{QStringLiteral("branch"), branch}, {QStringLiteral("theirs"), sides->theirsCommit}, {QStringLiteral("written"), written}, {QStringLiteral("from_theirs"), taken}});
    if (cmd.json()) {
        printJson(QJsonObject{{QStringLiteral("merged"), true}, {QStringLiteral("written"), written}, {QStringLiteral("from_theirs"), taken},
                              {QStringLiteral("conflicts"), QJsonArray()}});
    } else {
        if (written.isEmpty())
            out(QStringLiteral("nothing to merge: HEAD already has %1's dvc.yaml and params.yaml changes").arg(branch));
        for (const auto &t : taken)
            out(QStringLiteral("from %1: %2").arg(branch, t.toString()));
        if (!written.isEmpty())
            out(QStringLiteral("written: %1 — review and commit them").arg(QVariant(written.toVariantList()).toStringList().join(QStringLiteral(", "))));
    }
    return ExitOk;
}

} // namespace orrery::cli
