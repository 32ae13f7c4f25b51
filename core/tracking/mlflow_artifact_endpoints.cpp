// MlflowRestApi: MLflow's artifact proxy (mlflow-artifacts:/ URIs): PUT, GET, DELETE and the
// listing. An upload is decided on its head alone — path checked, run known and active, room on
// the disk — and its body then streams into a cache object that becomes the artifact only when
// complete (artifact_store.h).
#include "core/tracking/mlflow_json.h"
#include "core/tracking/mlflow_request.h"
#include "core/tracking/mlflow_rest_api.h"

#include <QFileInfo>
#include <QJsonArray>

namespace orrery::tracking {
namespace {

const QByteArray kArtifactPrefixes[] = {"/api/2.0/mlflow-artifacts/artifacts", "/ajax-api/2.0/mlflow-artifacts/artifacts"};

QByteArray contentTypeFor(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("json"))
        return "application/json";
    if (QStringList{QStringLiteral("txt"), QStringLiteral("yaml"), QStringLiteral("yml"), QStringLiteral("log"), QStringLiteral("csv"),
                    QStringLiteral("md")}.contains(suffix) || QFileInfo(path).fileName() == QLatin1String("MLmodel"))
        return "text/plain; charset=utf-8";
    if (suffix == QLatin1String("png"))
        return "image/png";
    if (suffix == QLatin1String("html"))
        return "text/plain; charset=utf-8"; // never rendered as a page from this origin
    return "application/octet-stream";
}

// The artifact at `relative` as a download: type and file name from its path (the object is
// named by its hash), never rendered as a page from this origin.
http::HttpResponse download(const QString &file, const QString &relative)
{
    http::HttpResponse r = http::HttpResponse::file(file, contentTypeFor(relative));
    QString name = relative.section(QLatin1Char('/'), -1);
    for (QChar &c : name)
        if (c.unicode() < 0x20 || c == QLatin1Char('"') || c == QLatin1Char('\\') || c.unicode() == 0x7f)
            c = QLatin1Char('_'); // a file name never splits or escapes the header
    r.headers.append(std::make_pair(QByteArray("Content-Disposition"), "attachment; filename=\"" + name.toUtf8() + '"'));
    r.headers.append(std::make_pair(QByteArray("X-Content-Type-Options"), QByteArray("nosniff")));
    return r;
}

// "<experiment>/<run>/artifacts" from a run's artifact URI (mlflow-artifacts:/1/abc/artifacts).
QString artifactRootOf(const QString &artifactUri)
{
    QString root = artifactUri;
    if (root.startsWith(QLatin1String("mlflow-artifacts:")))
        root = root.mid(int(qstrlen("mlflow-artifacts:")));
    while (root.startsWith(QLatin1Char('/')))
        root = root.mid(1);
    return root;
}

// MLflow's validate_path_is_safe: a relative path inside the run's artifacts.
Result<QString> safeRelative(const QString &path)
{
    if (path.isEmpty() || path == QLatin1String("."))
        return QString();
    auto clean = ArtifactStore::checkPath(path);
    if (!clean)
        return invalidArgument(QStringLiteral("Invalid path"));
    return clean;
}

} // namespace

// REST API 2.0's ListArtifacts: {root_uri, files: [{path, is_dir, file_size}]}, paths from the
// run's artifact root. One page: MLflow's server does not page this listing either.
Result<QJsonObject> MlflowRestApi::listArtifacts(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto runId, runIdOf(r));
    ORRERY_ASSIGN_OR_RETURN(auto path, r.string(QStringLiteral("path")));
    ORRERY_ASSIGN_OR_RETURN(auto pageToken, r.string(QStringLiteral("page_token")));
    (void)pageToken;
    ORRERY_ASSIGN_OR_RETURN(auto relative, safeRelative(path));
    ORRERY_ASSIGN_OR_RETURN(auto info, m_store.runInfo(runId));
    const QString root = artifactRootOf(info.artifactUri);
    ORRERY_ASSIGN_OR_RETURN(auto entries, m_artifacts.list(relative.isEmpty() ? root : root + QLatin1Char('/') + relative));
    QJsonArray files;
    for (const ArtifactEntry &e : entries) {
        QJsonObject f{{QStringLiteral("path"), relative.isEmpty() ? e.name : relative + QLatin1Char('/') + e.name}, {QStringLiteral("is_dir"), e.isDir}};
        if (!e.isDir)
            f.insert(QStringLiteral("file_size"), e.size);
        files.append(f);
    }
    QJsonObject answer{{QStringLiteral("root_uri"), info.artifactUri}};
    mlflow::putArray(answer, QStringLiteral("files"), files);
    return answer;
}

// GET /get-artifact?path=&run_uuid= (or run_id): the file, as MLflow's server sends it.
http::HttpResponse MlflowRestApi::getArtifact(const http::HttpRequest &request)
{
    if (request.method != "GET")
        return error("BAD_REQUEST", QStringLiteral("/get-artifact takes GET, not %1.").arg(QString::fromUtf8(request.method)));
    const MlflowRequest r = MlflowRequest::fromQuery(request.queryItems());
    auto runId = runIdOf(r);
    if (!runId)
        return error(runId.status());
    auto path = r.string(QStringLiteral("path"), true);
    if (!path)
        return error(path.status());
    auto relative = safeRelative(*path);
    if (!relative)
        return error(relative.status());
    auto info = m_store.runInfo(*runId);
    if (!info)
        return error(info.status());
    const QString full = artifactRootOf(info->artifactUri) + QLatin1Char('/') + *relative;
    auto file = m_artifacts.fileFor(full);
    if (!file)
        return error(file.status());
    return download(*file, full);
}

bool MlflowRestApi::isArtifactPath(const QByteArray &path, QString *relative, bool *isListing)
{
    for (const QByteArray &prefix : kArtifactPrefixes) {
        if (path == prefix) {
            *isListing = true;
            relative->clear();
            return true;
        }
        if (path.startsWith(prefix + '/')) {
            *isListing = false;
            // Paths decode once ('+' stays a plus); artifact_store.h refuses what decodes further.
            *relative = http::HttpRequest::decodeComponent(path.mid(prefix.size() + 1), false);
            return true;
        }
    }
    return false;
}

http::HttpBodyPlan MlflowRestApi::planUpload(const http::HttpRequest &head, const QString &relative)
{
    http::HttpBodyPlan plan;
    const auto refuse = [&](const Status &s) {
        plan.answer = error(s);
        return std::move(plan);
    };
    auto clean = ArtifactStore::checkPath(relative);
    if (!clean)
        return refuse(clean.status());
    // Uploads go only to the artifact folder of a run that exists and is active:
    // <experiment>/<run>/artifacts/<path> — never over another run's files or anywhere else.
    const QStringList parts = clean->split(QLatin1Char('/'));
    if (parts.size() < 4 || parts[2] != QLatin1String("artifacts"))
        return refuse(invalidArgument(QStringLiteral("Cannot upload to '%1': artifacts go to <experiment_id>/<run_id>/artifacts/<path>, "
                                                     "the run's artifact_uri.").arg(*clean)));
    auto info = m_store.runInfo(parts[1]);
    if (!info)
        return refuse(info.status());
    if (info->experimentId != parts[0])
        return refuse(invalidArgument(QStringLiteral("Cannot upload to '%1': run %2 belongs to experiment %3.").arg(*clean, parts[1], info->experimentId)));
    if (info->lifecycleStage != QLatin1String("active"))
        return refuse(invalidArgument(QStringLiteral("The run %1 must be in the 'active' state. Current state is %2.").arg(parts[1], info->lifecycleStage)));
    auto upload = m_artifacts.beginUpload(*clean, head.contentLength);
    if (!upload) {
        if (upload.status().code() == ErrorCode::Io) {
            plan.answer = http::HttpResponse::json(507, mlflow::errorBody("RESOURCE_EXHAUSTED", upload.status().message()));
            return plan;
        }
        return refuse(upload.status());
    }
    plan.sink = std::move(*upload);
    plan.limit = kMaxArtifactBytes;
    return plan;
}

http::HttpResponse MlflowRestApi::artifacts(http::HttpRequest &request, const QString &relative, bool isListing)
{
    if (isListing) {
        if (request.method != "GET")
            return error("BAD_REQUEST", QStringLiteral("The artifact listing takes GET, not %1.").arg(QString::fromUtf8(request.method)));
        QString path;
        for (const auto &[key, value] : request.queryItems())
            if (key == QLatin1String("path"))
                path = value;
        auto entries = m_artifacts.list(path);
        if (!entries)
            return error(entries.status());
        QJsonArray files;
        for (const ArtifactEntry &e : *entries) {
            QJsonObject f{{QStringLiteral("path"), e.name}, {QStringLiteral("is_dir"), e.isDir}};
            if (!e.isDir)
                f.insert(QStringLiteral("file_size"), e.size);
            files.append(f);
        }
        QJsonObject answer;
        mlflow::putArray(answer, QStringLiteral("files"), files);
        return http::HttpResponse::json(200, mlflow::toJson(answer));
    }
    if (request.method == "PUT") {
        // planUpload() made the sink, or answered already.
        auto *upload = dynamic_cast<ArtifactUpload *>(request.sink.get());
        if (!upload)
            return error("INTERNAL_ERROR", QStringLiteral("the upload of '%1' has no destination").arg(relative));
        const Status committed = upload->commit();
        if (!committed)
            return error(committed);
        return http::HttpResponse::json(200, "{}");
    }
    if (request.method == "GET") {
        auto file = m_artifacts.fileFor(relative);
        if (!file)
            return error(file.status());
        return download(*file, relative);
    }
    if (request.method == "DELETE") {
        // mlflow.artifacts / MlflowClient's artifact repository delete_artifacts(path).
        auto removed = m_artifacts.remove(relative);
        if (!removed)
            return error(removed.status());
        return http::HttpResponse::json(200, "{}");
    }
    auto r = error("BAD_REQUEST", QStringLiteral("Artifacts take GET (download), PUT (upload) and DELETE, not %1.").arg(QString::fromUtf8(request.method)));
    r.status = 405;
    r.headers.append(std::make_pair(QByteArray("Allow"), QByteArray("GET, PUT, DELETE")));
    return r;
}

} // namespace orrery::tracking
