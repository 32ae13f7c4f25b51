// MlflowRestApi: experiments/* (create, get, get-by-name, search, delete, restore, update,
// set-experiment-tag). A relative artifact_location given to experiments/create is resolved
// against the server's current directory as MLflow 2.4 resolves it (resolveIfLocal below).
#include "core/tracking/experiment_filter.h"
#include "core/tracking/mlflow_json.h"
#include "core/tracking/mlflow_request.h"
#include "core/tracking/mlflow_rest_api.h"

#include <QDir>
#include <QRegularExpression>
#include <QUrl>

namespace orrery::tracking {
namespace {

const QString kExperimentId = QStringLiteral("experiment_id");

// An artifact_location is only ever stored and shown here (the proxy writes under the workspace
// whatever it says), but the spellings MLflow's traversal fixes refuse are refused here too.
Status checkArtifactLocation(const QString &location)
{
    if (location.contains(QLatin1Char('#')) || location.contains(QLatin1Char('?')) || location.contains(QChar(0))
        || location.split(QRegularExpression(QStringLiteral("[/\\\\]"))).contains(QStringLiteral("..")))
        return invalidArgument(QStringLiteral("Invalid artifact_location '%1': it may not contain '..', a query ('?') or a fragment ('#').").arg(location));
    return Status::ok();
}

// A relative local artifact_location, resolved as MLflow 2.4's server resolves it
// (mlflow/utils/uri.py, resolve_uri_if_local, which both its stores apply to a given location):
// against the server's current directory at the time of the request, with pathlib's joining
// (empty and '.' parts dropped, no trailing '/'), and
// - a plain relative path ("mlruns/x") becomes an absolute path, not a URI: "/srv/cwd/mlruns/x";
// - a relative file: URI ("file:mlruns/x", percent-decoded as url2pathname does) becomes
//   "file:///srv/cwd/mlruns/x";
// - anything else (an absolute path, file:///abs, file://localhost/abs, s3://…, any other
//   scheme) is stored as given.
// experiments/get (and get-by-name, search) answer the stored, resolved value, as MLflow does.
QString resolveIfLocal(const QString &location)
{
    static const QRegularExpression schemeRe(QStringLiteral("^([A-Za-z][A-Za-z0-9+.-]*):"));
    const QRegularExpressionMatch m = schemeRe.match(location);
    const QString scheme = m.hasMatch() ? m.captured(1).toLower() : QString();
    QString path;
    if (scheme.isEmpty()) {
        if (location.startsWith(QLatin1String("//")))
            return location; // a network location: not MLflow's relative path
        path = location;
    } else if (scheme == QLatin1String("file")) {
        const QString rest = location.mid(m.capturedLength());
        if (rest.startsWith(QLatin1String("//")))
            return location; // file://host/path: its path is absolute
        path = QUrl::fromPercentEncoding(rest.toUtf8());
    } else {
        return location;
    }
    if (path.startsWith(QLatin1Char('/')))
        return location;
    QStringList parts = QDir::currentPath().split(QLatin1Char('/'), Qt::SkipEmptyParts);
    for (const QString &part : path.split(QLatin1Char('/'), Qt::SkipEmptyParts))
        if (part != QLatin1String("."))
            parts << part;
    const QString absolute = QLatin1Char('/') + parts.join(QLatin1Char('/'));
    return scheme.isEmpty() ? absolute : QStringLiteral("file://") + absolute;
}

} // namespace

Result<QJsonObject> MlflowRestApi::createExperiment(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto name, r.string(QStringLiteral("name"), true));
    ORRERY_ASSIGN_OR_RETURN(auto location, r.string(QStringLiteral("artifact_location")));
    ORRERY_TRY(checkArtifactLocation(location));
    if (!location.isEmpty())
        location = resolveIfLocal(location);
    ORRERY_ASSIGN_OR_RETURN(auto tags, r.keyValues(QStringLiteral("tags")));
    ORRERY_ASSIGN_OR_RETURN(auto id, m_store.createExperiment(name, location, tags));
    return QJsonObject{{kExperimentId, id}};
}

Result<QJsonObject> MlflowRestApi::getExperiment(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto id, r.string(kExperimentId, true));
    ORRERY_ASSIGN_OR_RETURN(auto e, m_store.experiment(id));
    return QJsonObject{{QStringLiteral("experiment"), mlflow::experimentJson(e)}};
}

Result<QJsonObject> MlflowRestApi::getExperimentByName(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto name, r.string(QStringLiteral("experiment_name"), true));
    ORRERY_ASSIGN_OR_RETURN(auto e, m_store.experimentByName(name));
    return QJsonObject{{QStringLiteral("experiment"), mlflow::experimentJson(e)}};
}

Result<QJsonObject> MlflowRestApi::searchExperiments(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto maxResults, r.int64(QStringLiteral("max_results"), false, 1000));
    // MLflow's store says these (SqlAlchemyStore._search_experiments).
    if (maxResults < 1)
        return invalidArgument(QStringLiteral("Invalid value for max_results. It must be a positive integer, but got %1").arg(maxResults));
    if (maxResults > kMaxSearchResults)
        return invalidArgument(QStringLiteral("Invalid value for max_results. It must be at most %1, but got %2").arg(kMaxSearchResults).arg(maxResults));
    ORRERY_ASSIGN_OR_RETURN(auto token, r.string(QStringLiteral("page_token")));
    ORRERY_ASSIGN_OR_RETURN(auto offset, mlflow::offsetFromPageToken(token));
    ORRERY_ASSIGN_OR_RETURN(auto viewName, r.string(QStringLiteral("view_type")));
    ViewType view = ViewType::ActiveOnly;
    if (!viewName.isEmpty() && !parseViewType(viewName, &view))
        return r.invalid(QStringLiteral("view_type"));
    ORRERY_ASSIGN_OR_RETURN(auto filterText, r.string(QStringLiteral("filter")));
    ORRERY_ASSIGN_OR_RETURN(auto filter, ExperimentFilter::parse(filterText));
    ORRERY_ASSIGN_OR_RETURN(auto orderBy, r.strings(QStringLiteral("order_by")));

    ORRERY_ASSIGN_OR_RETURN(auto all, m_store.experiments(view));
    QVector<Experiment> matching;
    for (const Experiment &e : all)
        if (filter.matches(e))
            matching.append(e);
    ORRERY_TRY(ExperimentFilter::sort(matching, orderBy));
    QJsonArray page;
    const qint64 end = qMin<qint64>(matching.size(), offset + maxResults);
    for (qint64 i = offset; i < end; ++i)
        page.append(mlflow::experimentJson(matching[int(i)]));
    QJsonObject answer;
    mlflow::putArray(answer, QStringLiteral("experiments"), page);
    if (end < matching.size())
        answer.insert(QStringLiteral("next_page_token"), mlflow::pageToken(end));
    return answer;
}

Result<QJsonObject> MlflowRestApi::deleteExperiment(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto id, r.string(kExperimentId, true));
    ORRERY_TRY(m_store.setExperimentLifecycle(id, true));
    return QJsonObject();
}

Result<QJsonObject> MlflowRestApi::restoreExperiment(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto id, r.string(kExperimentId, true));
    ORRERY_TRY(m_store.setExperimentLifecycle(id, false));
    return QJsonObject();
}

// experiments/update: MLflow's rename (new_name is its only field).
Result<QJsonObject> MlflowRestApi::updateExperiment(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto id, r.string(kExperimentId, true));
    ORRERY_ASSIGN_OR_RETURN(auto newName, r.string(QStringLiteral("new_name"), true));
    ORRERY_TRY(m_store.renameExperiment(id, newName));
    return QJsonObject();
}

Result<QJsonObject> MlflowRestApi::setExperimentTag(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto id, r.string(kExperimentId, true));
    ORRERY_ASSIGN_OR_RETURN(auto key, r.string(QStringLiteral("key"), true));
    ORRERY_ASSIGN_OR_RETURN(auto value, r.string(QStringLiteral("value")));
    ORRERY_TRY(m_store.setExperimentTag(id, {key, value}));
    return QJsonObject();
}

} // namespace orrery::tracking
