// The containerfile format: the image every manifest names. One stage on debian:12: Orrery's
// source is copied in, packaging/setup.sh installs its build dependencies from Debian (LibTorch
// among them, which orrery-serve needs at run time too, so a second, slimmer stage would have to
// repeat the runtime half of that list by hand), orrery-cli and orrery-serve are built and
// installed side by side (orrery-cli execs orrery-serve from its own folder), the build folder
// is removed, and the model file is copied to /models/<file>. Its command is the manifests'
// command, as JSON (exec form), so SIGTERM reaches orrery-cli's serving process and drains it.
//
// The build context is a folder holding the model (models/<file>, which `export containerfile
// --out DIR` writes, md5-checked) and Orrery's source as orrery/: an installed orrery-cli does
// not know where its source is, and a `git clone` in the build would need a network and a URL.
#include "core/deploy/manifest_export_formats.h"
#include "core/deploy/manifest_export_objects.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace orrery::deploy::formats {

namespace {

// A LABEL value in double quotes.
QString quoted(QString text)
{
    text.replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('"'), QStringLiteral("\\\""));
    return QLatin1Char('"') + text + QLatin1Char('"');
}

} // namespace

QVector<ExportedFile> containerfile(const ExportSpec &spec)
{
    const QString file = objects::modelFileName(spec);
    const QString inImage = objects::modelPathInImage(spec);
    const QString image = objects::imageOf(spec);
    const bool signatureBeside = QFileInfo::exists(spec.modelFile + QStringLiteral(".signature.json"));
    const QByteArray command = QJsonDocument(QJsonArray::fromStringList(objects::serveCommand(spec))).toJson(QJsonDocument::Compact);

    QString text;
    text += QStringLiteral("# Containerfile of Orrery endpoint '%1': model '%2' v%3 (md5 %4), the image %5 that the\n"
                           "# manifests of `orrery-cli export` name. Written by orrery-cli export containerfile.\n"
                           "#\n"
                           "# Build context: this folder, holding\n"
                           "#   models/%6\n"
                           "#       the model (`export containerfile --out DIR` writes it, md5-checked)\n"
                           "#   orrery/\n"
                           "#       Orrery's source, e.g.: git -C PATH/TO/ORRERY archive --prefix=orrery/ HEAD | tar -x\n"
                           "# Build: podman build -t %5 -f Containerfile .    (or docker build)\n"
                           "# Run:   the server listens on 0.0.0.0:%7 and requires a bearer token from %8;\n"
                           "#        the manifests mount the Secret '%9' there. Locally:\n"
                           "#        podman run -p %7:%7 -v ./token:%8:ro %5\n")
                .arg(spec.endpoint, spec.model, QString::number(spec.version), spec.modelMd5, image, file, QString::number(spec.port),
                     QLatin1String(objects::kTokenFile), objects::tokenSecretName(spec));
    text += QStringLiteral("FROM debian:12\n\n"
                           "# packaging/setup.sh installs Orrery's build dependencies from Debian (it runs apt-get update when needed).\n"
                           "COPY orrery/ /src/orrery/\n"
                           "RUN bash /src/orrery/packaging/setup.sh \\\n"
                           " && cmake -S /src/orrery -B /src/build -G Ninja -DCMAKE_BUILD_TYPE=Release \\\n"
                           "      -DORRERY_GUI=OFF -DORRERY_TORCH=ON -DORRERY_TESTS=OFF -DORRERY_BENCH=OFF \\\n"
                           " && cmake --build /src/build --target orrery-cli orrery-serve \\\n"
                           " && install -m 0755 /src/build/bin/orrery-cli /src/build/bin/orrery-serve /usr/local/bin/ \\\n"
                           " && rm -rf /src/build /var/lib/apt/lists/*\n\n");
    text += QStringLiteral("COPY models/%1 %2\n").arg(file, inImage);
    if (signatureBeside)
        text += QStringLiteral("COPY models/%1.signature.json %2.signature.json\n").arg(file, inImage);
    text += QStringLiteral("\nLABEL org.opencontainers.image.title=%1 \\\n"
                           "      dev.orrery.endpoint=%2 dev.orrery.model=%3 dev.orrery.model-version=\"%4\" dev.orrery.model-md5=\"%5\"\n")
                .arg(quoted(image), quoted(spec.endpoint), quoted(spec.model), QString::number(spec.version), spec.modelMd5);
    text += QStringLiteral("USER 65534:65534\n"
                           "EXPOSE %1\n"
                           "STOPSIGNAL SIGTERM\n"
                           "CMD %2\n")
                .arg(QString::number(spec.port), QString::fromUtf8(command));

    QVector<ExportedFile> files;
    ExportedFile containerfile;
    containerfile.name = QStringLiteral("Containerfile");
    containerfile.content = text.toUtf8();
    files.append(containerfile);
    ExportedFile model;
    model.name = QStringLiteral("models/") + file;
    model.copyFrom = spec.modelFile;
    model.copyMd5 = spec.modelMd5;
    files.append(model);
    if (signatureBeside) {
        ExportedFile signature;
        signature.name = model.name + QStringLiteral(".signature.json");
        signature.copyFrom = spec.modelFile + QStringLiteral(".signature.json");
        files.append(signature);
    }
    return files;
}

} // namespace orrery::deploy::formats
