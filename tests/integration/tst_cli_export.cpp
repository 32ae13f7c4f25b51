// orrery-cli export as a user runs it, over the demo workspace (baseline trainer, no LibTorch):
// its baseline model registered (not servable), and TorchScript versions written by Debian's
// python3-torch (signature inside the archive, or beside it as Python users save it).
// Every manifest is validated against the published schemas (tests/deploy/validate_manifests.py:
// the KServe and Argo Rollouts CRDs with jsonschema, Deployment/Service/Rollout/AnalysisTemplate
// with kubernetes-models under node); the AnalysisTemplate's PromQL is parsed by promtool; the
// Terraform JSON and the Containerfile are checked structurally (no Terraform or container
// engine here), the Containerfile's build configured for real. Bad input exits 2 and names it.
#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using Run = testing::ProcessResult;
using testing::readFile;
using testing::runCli;
using testing::writeFile;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");
const QString kRules = QStringLiteral("error_rate <= stable + 0.01, p99_ms <= 1.2 * stable");

QString validator()
{
    return QStringLiteral(ORRERY_SOURCE_DIR "/tests/deploy/validate_manifests.py");
}

QString md5Of(const QString &path)
{
    return QString::fromLatin1(QCryptographicHash::hash(readFile(path), QCryptographicHash::Md5).toHex());
}

} // namespace

class TstCliExport : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QString m_md5v3;

    Run cli(const QStringList &args) { return runCli(args, m_ws); }

    // `export FORMAT fraud --model fraud …` into a fresh folder; the folder.
    QString exportTo(const QString &format, const QStringList &more)
    {
        static int n = 0;
        const QString out = m_dir.filePath(QStringLiteral("out%1").arg(++n));
        const Run r = cli(QStringList{QStringLiteral("export"), format, QStringLiteral("fraud"), QStringLiteral("--model"), QStringLiteral("fraud"),
                                      QStringLiteral("--out"), out} + more);
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
        return out;
    }

    // The validator's lines, after checking it passed.
    QStringList validate(const QStringList &files)
    {
        const Run r = testing::run(kPython, QStringList{validator()} + files);
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
        return r.ok() ? r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts) : QStringList{QStringLiteral("FAILED")};
    }

    // The YAML documents of `path`, as PyYAML reads them.
    QJsonArray documents(const QString &path)
    {
        const Run r = testing::run(kPython, {QStringLiteral("-c"),
                                             QStringLiteral("import sys, json, yaml; print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d]))"),
                                             path});
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
        return QJsonDocument::fromJson(r.out.toUtf8()).array();
    }

    static QJsonObject ofKind(const QJsonArray &docs, const QString &kind, const QString &name = QString())
    {
        for (const QJsonValue &d : docs)
            if (d[QStringLiteral("kind")].toString() == kind && (name.isEmpty() || d[QStringLiteral("metadata")][QStringLiteral("name")].toString() == name))
                return d.toObject();
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(QStringLiteral(ORRERY_SOURCE_DIR "/tests/deploy/node_modules/kubernetes-models/package.json")),
                 "the npm validators are missing: run packaging/setup.sh --test");
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        Run r = runCli({QStringLiteral("demo"), m_ws, QStringLiteral("--baseline-trainer"), QStringLiteral("--rows"), QStringLiteral("5000")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("run")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        // v1: the demo's baseline model (JSON: registered, not servable).
        r = cli({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("fraud"), QStringLiteral("--file"), QStringLiteral("models/model.json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        // v2, v3: TorchScript with the signature inside (as orrery-train exports); "python" v1
        // with the signature beside the file (as a Python user saves one).
        const QString script = QStringLiteral(
            "import json, sys, torch\n"
            "class M(torch.nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            "        self.l = torch.nn.Linear(3, 1)\n"
            "    def forward(self, x):\n"
            "        return torch.sigmoid(self.l(x))\n"
            "sig = json.dumps({'inputs': [{'name': 'x', 'dtype': 'FP32', 'shape': [-1, 3], 'columns': ['a', 'b', 'c']}],\n"
            "                  'outputs': [{'name': 'score', 'dtype': 'FP32', 'shape': [-1, 1]}]})\n"
            "d = sys.argv[1]\n"
            "for seed in (2, 3):\n"
            "    torch.manual_seed(seed)\n"
            "    torch.jit.script(M()).save(f'{d}/m{seed}.pt', _extra_files={'signature.json': sig})\n"
            "torch.jit.script(M()).save(f'{d}/python.pt')\n"
            "open(f'{d}/python.pt.signature.json', 'w').write(sig)\n");
        const QString models = m_dir.filePath(QStringLiteral("models"));
        QVERIFY(QDir().mkpath(models));
        // From a file: torch.jit.script reads the class's source, which `python3 -c` has not.
        r = testing::run(kPython, {writeFile(models + QStringLiteral("/make_models.py"), script.toUtf8()), models});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        for (const char *file : {"m2.pt", "m3.pt"}) {
            r = cli({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("fraud"), QStringLiteral("--file"), models + QLatin1Char('/') + QLatin1String(file)});
            QVERIFY2(r.ok(), qPrintable(r.describe()));
        }
        r = cli({QStringLiteral("models"), QStringLiteral("register"), QStringLiteral("python"), QStringLiteral("--file"), models + QStringLiteral("/python.pt")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        m_md5v3 = md5Of(models + QStringLiteral("/m3.pt"));
    }

    void k8sValidates()
    {
        const QString out = exportTo(QStringLiteral("k8s"), {QStringLiteral("--version"), QStringLiteral("3")});
        const QString file = out + QStringLiteral("/fraud-k8s.yaml");
        QVERIFY(QFile::exists(file));
        const QStringList lines = validate({file});
        QVERIFY2(lines.contains(QStringLiteral("valid Deployment fraud: kubernetes-models")), qPrintable(lines.join('\n')));
        QVERIFY2(lines.contains(QStringLiteral("valid Service fraud: kubernetes-models")), qPrintable(lines.join('\n')));
        const QJsonObject deployment = ofKind(documents(file), QStringLiteral("Deployment"));
        QCOMPARE(deployment[QStringLiteral("metadata")][QStringLiteral("annotations")][QStringLiteral("orrery.dev/model-md5")].toString(), m_md5v3);
        const QJsonObject pod = deployment[QStringLiteral("spec")][QStringLiteral("template")].toObject();
        QCOMPARE(pod[QStringLiteral("metadata")][QStringLiteral("annotations")][QStringLiteral("prometheus.io/scrape")].toString(), QStringLiteral("true"));
        QCOMPARE(pod[QStringLiteral("metadata")][QStringLiteral("annotations")][QStringLiteral("prometheus.io/path")].toString(), QStringLiteral("/metrics"));
        QCOMPARE(pod[QStringLiteral("metadata")][QStringLiteral("annotations")][QStringLiteral("prometheus.io/port")].toString(), QStringLiteral("8080"));
        const QJsonObject container = pod[QStringLiteral("spec")][QStringLiteral("containers")][0].toObject();
        QCOMPARE(container[QStringLiteral("image")].toString(), QStringLiteral("orrery-fraud:v3"));
        QVERIFY(readFile(file).contains("kubectl create secret generic fraud-token"));
    }

    void argoCanaryWithAnalysisValidatesAndItsPromQlParses()
    {
        const QString out = exportTo(QStringLiteral("argo"), {QStringLiteral("--version"), QStringLiteral("3"), QStringLiteral("--stable-version"), QStringLiteral("2"),
                                                             QStringLiteral("--steps"), QStringLiteral("5,25,50,100"), QStringLiteral("--pause"), QStringLiteral("2m"),
                                                             QStringLiteral("--analysis"), kRules, QStringLiteral("--replicas"), QStringLiteral("4")});
        const QString file = out + QStringLiteral("/fraud-rollout.yaml");
        const QStringList lines = validate({file});
        for (const char *expected : {"valid Rollout fraud: argo-rollouts/rollout-crd.yaml argoproj.io/v1alpha1",
                                     "valid Rollout fraud: @kubernetes-models/argo-rollouts",
                                     "valid AnalysisTemplate fraud-analysis: argo-rollouts/analysis-template-crd.yaml argoproj.io/v1alpha1",
                                     "valid AnalysisTemplate fraud-analysis: @kubernetes-models/argo-rollouts",
                                     "valid Service fraud: kubernetes-models"})
            QVERIFY2(lines.contains(QLatin1String(expected)), qPrintable(expected + QStringLiteral(" not in:\n") + lines.join('\n')));
        const QJsonArray docs = documents(file);
        const QJsonObject rollout = ofKind(docs, QStringLiteral("Rollout"));
        QCOMPARE(rollout[QStringLiteral("spec")][QStringLiteral("replicas")].toInt(), 4);
        const QJsonArray steps = rollout[QStringLiteral("spec")][QStringLiteral("strategy")][QStringLiteral("canary")][QStringLiteral("steps")].toArray();
        QStringList shape;
        for (const QJsonValue &s : steps) {
            const QJsonObject o = s.toObject();
            if (o.contains(QStringLiteral("setWeight")))
                shape << QStringLiteral("w%1").arg(o[QStringLiteral("setWeight")].toInt());
            else if (o.contains(QStringLiteral("pause")))
                shape << QStringLiteral("pause ") + o[QStringLiteral("pause")][QStringLiteral("duration")].toString();
            else if (o.contains(QStringLiteral("analysis"))) {
                QStringList args;
                for (const QJsonValue &a : o[QStringLiteral("analysis")][QStringLiteral("args")].toArray())
                    args << a[QStringLiteral("name")].toString() + QLatin1Char('=') + a[QStringLiteral("value")].toString();
                shape << QStringLiteral("analysis ") + args.join(QLatin1Char(','));
            }
        }
        const QString a = QStringLiteral("analysis endpoint=fraud,canary-version=3,stable-version=2");
        QCOMPARE(shape, (QStringList{QStringLiteral("w5"), QStringLiteral("pause 120s"), a, QStringLiteral("w25"), QStringLiteral("pause 120s"), a,
                                     QStringLiteral("w50"), QStringLiteral("pause 120s"), a, QStringLiteral("w100")}));
        // Each query, with the Rollout's arguments put in, is PromQL that promtool parses.
        const QJsonObject tmpl = ofKind(docs, QStringLiteral("AnalysisTemplate"));
        const QJsonArray metrics = tmpl[QStringLiteral("spec")][QStringLiteral("metrics")].toArray();
        QCOMPARE(metrics.size(), 2);
        QString rules = QStringLiteral("groups:\n- name: export\n  rules:\n");
        for (const QJsonValue &m : metrics) {
            QString q = m[QStringLiteral("provider")][QStringLiteral("prometheus")][QStringLiteral("query")].toString();
            QVERIFY(q.contains(QStringLiteral("orrery_requests_total{endpoint=\"{{args.endpoint}}\"")));
            q.replace(QStringLiteral("{{args.endpoint}}"), QStringLiteral("fraud"))
                .replace(QStringLiteral("{{args.canary-version}}"), QStringLiteral("3"))
                .replace(QStringLiteral("{{args.stable-version}}"), QStringLiteral("2"));
            QVERIFY2(!q.contains(QStringLiteral("{{")), qPrintable(q));
            rules += QStringLiteral("  - record: orrery:%1\n    expr: %2\n").arg(m[QStringLiteral("name")].toString().replace(QLatin1Char('-'), QLatin1Char('_')),
                                                                             QString::fromUtf8(QJsonDocument(QJsonArray{q}).toJson(QJsonDocument::Compact)).mid(1).chopped(1));
            QVERIFY(m[QStringLiteral("successCondition")].toString().contains(QStringLiteral("result[0] <= 0")));
        }
        QCOMPARE(metrics[0][QStringLiteral("name")].toString(), QStringLiteral("error-rate"));
        QCOMPARE(metrics[1][QStringLiteral("name")].toString(), QStringLiteral("p99-ms"));
        const QString rulesFile = writeFile(out + QStringLiteral("/rules.yml"), rules.toUtf8());
        const Run check = testing::run(QStringLiteral("promtool"), {QStringLiteral("check"), QStringLiteral("rules"), rulesFile});
        QVERIFY2(check.ok() && check.out.contains(QStringLiteral("SUCCESS: 2 rules found")), qPrintable(check.describe()));
    }

    void argoBlueGreenValidates()
    {
        const QString refused = m_dir.filePath(QStringLiteral("unknown-alias"));
        const Run unknown = cli({QStringLiteral("export"), QStringLiteral("argo"), QStringLiteral("fraud"), QStringLiteral("--model"), QStringLiteral("fraud"),
                                 QStringLiteral("--alias"), QStringLiteral("green"), QStringLiteral("--out"), refused});
        QCOMPARE(unknown.code, 2); // the alias is not set yet: nothing written
        QVERIFY2(unknown.err.contains(QStringLiteral("green")), qPrintable(unknown.describe()));
        QVERIFY(!QFile::exists(refused));
        const Run alias = cli({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("fraud"), QStringLiteral("green"), QStringLiteral("3")});
        QVERIFY2(alias.ok(), qPrintable(alias.describe()));
        const QString bg = exportTo(QStringLiteral("argo"), {QStringLiteral("--alias"), QStringLiteral("green"), QStringLiteral("--strategy"), QStringLiteral("blue-green"),
                                                            QStringLiteral("--stable-version"), QStringLiteral("2"), QStringLiteral("--analysis"), QStringLiteral("error_rate <= 0.02")});
        const QString file = bg + QStringLiteral("/fraud-rollout.yaml");
        const QStringList lines = validate({file});
        QVERIFY2(lines.contains(QStringLiteral("valid Service fraud-preview: kubernetes-models")), qPrintable(lines.join('\n')));
        QVERIFY2(lines.contains(QStringLiteral("valid Rollout fraud: argo-rollouts/rollout-crd.yaml argoproj.io/v1alpha1")), qPrintable(lines.join('\n')));
        const QJsonObject blueGreen = ofKind(documents(file), QStringLiteral("Rollout"))[QStringLiteral("spec")][QStringLiteral("strategy")][QStringLiteral("blueGreen")].toObject();
        QCOMPARE(blueGreen[QStringLiteral("activeService")].toString(), QStringLiteral("fraud"));
        QCOMPARE(blueGreen[QStringLiteral("previewService")].toString(), QStringLiteral("fraud-preview"));
        QCOMPARE(blueGreen[QStringLiteral("autoPromotionEnabled")].toBool(true), false);
        QCOMPARE(blueGreen[QStringLiteral("prePromotionAnalysis")][QStringLiteral("templates")][0][QStringLiteral("templateName")].toString(), QStringLiteral("fraud-analysis"));
    }

    void kserveValidates_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<int>("percent"); // -1: no canaryTrafficPercent
        QTest::newRow("canary") << QStringList{QStringLiteral("--stable-version"), QStringLiteral("2"), QStringLiteral("--steps"), QStringLiteral("10,50,100")} << 10;
        QTest::newRow("blue-green") << QStringList{QStringLiteral("--stable-version"), QStringLiteral("2"), QStringLiteral("--strategy"), QStringLiteral("blue-green")} << 0;
        QTest::newRow("direct") << QStringList{} << -1;
    }
    void kserveValidates()
    {
        QFETCH(QStringList, options);
        QFETCH(int, percent);
        const QString out = exportTo(QStringLiteral("kserve"), QStringList{QStringLiteral("--version"), QStringLiteral("3")} + options);
        const QString file = out + QStringLiteral("/fraud-inferenceservice.yaml");
        const QStringList lines = validate({file});
        QVERIFY2(lines.contains(QStringLiteral("valid InferenceService fraud: kserve/serving.kserve.io_inferenceservices.yaml serving.kserve.io/v1beta1")),
                 qPrintable(lines.join('\n')));
        const QJsonObject predictor = ofKind(documents(file), QStringLiteral("InferenceService"))[QStringLiteral("spec")][QStringLiteral("predictor")].toObject();
        QCOMPARE(predictor.contains(QStringLiteral("canaryTrafficPercent")), percent >= 0);
        if (percent >= 0)
            QCOMPARE(predictor[QStringLiteral("canaryTrafficPercent")].toInt(), percent);
        QCOMPARE(predictor[QStringLiteral("containers")][0][QStringLiteral("image")].toString(), QStringLiteral("orrery-fraud:v3"));
    }

    void terraformIsTheSameObjects()
    {
        const QStringList options{QStringLiteral("--version"), QStringLiteral("3"), QStringLiteral("--image"), QStringLiteral("registry.example.com/risk/orrery-fraud:v3"),
                                  QStringLiteral("--port"), QStringLiteral("9090"), QStringLiteral("--replicas"), QStringLiteral("2")};
        const QString k8s = exportTo(QStringLiteral("k8s"), options);
        const QJsonObject deployment = ofKind(documents(k8s + QStringLiteral("/fraud-k8s.yaml")), QStringLiteral("Deployment"));
        const QJsonObject k8sContainer = deployment[QStringLiteral("spec")][QStringLiteral("template")][QStringLiteral("spec")][QStringLiteral("containers")][0].toObject();
        const QString out = exportTo(QStringLiteral("terraform"), options);
        QJsonParseError error;
        const QJsonObject tf = QJsonDocument::fromJson(readFile(out + QStringLiteral("/fraud.tf.json")), &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(tf[QStringLiteral("terraform")][QStringLiteral("required_providers")][QStringLiteral("kubernetes")][QStringLiteral("source")].toString(), QStringLiteral("hashicorp/kubernetes"));
        QVERIFY(tf[QStringLiteral("provider")][QStringLiteral("kubernetes")].isObject());
        const QJsonObject resources = tf[QStringLiteral("resource")].toObject();
        QCOMPARE(resources.keys(), (QStringList{QStringLiteral("kubernetes_deployment"), QStringLiteral("kubernetes_service")}));
        const QJsonObject d = resources[QStringLiteral("kubernetes_deployment")][QStringLiteral("fraud")].toObject();
        QCOMPARE(d[QStringLiteral("metadata")][QStringLiteral("name")].toString(), QStringLiteral("fraud"));
        QCOMPARE(d[QStringLiteral("spec")][QStringLiteral("replicas")].toInt(), 2);
        const QJsonObject podSpec = d[QStringLiteral("spec")][QStringLiteral("template")][QStringLiteral("spec")].toObject();
        const QJsonObject c = podSpec[QStringLiteral("container")][0].toObject();
        QCOMPARE(c[QStringLiteral("image")].toString(), QStringLiteral("registry.example.com/risk/orrery-fraud:v3"));
        QCOMPARE(c[QStringLiteral("command")].toArray(), k8sContainer[QStringLiteral("command")].toArray());
        QVERIFY(c[QStringLiteral("command")].toArray().contains(QStringLiteral("/var/run/secrets/orrery/token")));
        QCOMPARE(c[QStringLiteral("port")][0][QStringLiteral("container_port")].toInt(), 9090);
        QCOMPARE(c[QStringLiteral("readiness_probe")][QStringLiteral("http_get")][QStringLiteral("path")].toString(), QStringLiteral("/v2/health/ready"));
        QCOMPARE(c[QStringLiteral("liveness_probe")][QStringLiteral("http_get")][QStringLiteral("path")].toString(), QStringLiteral("/v2/health/live"));
        QCOMPARE(c[QStringLiteral("volume_mount")][0][QStringLiteral("mount_path")].toString(), QStringLiteral("/var/run/secrets/orrery"));
        QCOMPARE(podSpec[QStringLiteral("volume")][0][QStringLiteral("secret")][QStringLiteral("secret_name")].toString(), QStringLiteral("fraud-token"));
        QCOMPARE(d[QStringLiteral("spec")][QStringLiteral("template")][QStringLiteral("metadata")][QStringLiteral("annotations")][QStringLiteral("prometheus.io/port")].toString(),
                 QStringLiteral("9090"));
        const QJsonObject s = resources[QStringLiteral("kubernetes_service")][QStringLiteral("fraud")].toObject();
        QCOMPARE(s[QStringLiteral("spec")][QStringLiteral("selector")].toObject(), d[QStringLiteral("spec")][QStringLiteral("selector")][QStringLiteral("match_labels")].toObject());
        QCOMPARE(s[QStringLiteral("spec")][QStringLiteral("port")][0][QStringLiteral("port")].toInt(), 9090);
    }

    void containerfileCopiesTheModelAndRunsTheManifestsCommand()
    {
        const QString out = exportTo(QStringLiteral("containerfile"), {QStringLiteral("--version"), QStringLiteral("3")});
        const QString text = QString::fromUtf8(readFile(out + QStringLiteral("/Containerfile")));
        QStringList instructions;
        for (const QString &line : text.split(QLatin1Char('\n')))
            if (!line.isEmpty() && !line.startsWith(QLatin1Char('#')) && !line.startsWith(QLatin1Char(' ')))
                instructions << line;
        QCOMPARE(instructions.first(), QStringLiteral("FROM debian:12"));
        QVERIFY(instructions.contains(QStringLiteral("COPY orrery/ /src/orrery/")));
        QVERIFY(text.contains(QStringLiteral("RUN bash /src/orrery/packaging/setup.sh")));
        QVERIFY(instructions.contains(QStringLiteral("COPY models/fraud-v3.pt /models/fraud-v3.pt")));
        // The model is there, md5-identical to the registered file.
        QCOMPARE(md5Of(out + QStringLiteral("/models/fraud-v3.pt")), m_md5v3);
        // CMD is the k8s Deployment's command, in exec form.
        const QString cmd = instructions.filter(QRegularExpression(QStringLiteral("^CMD "))).value(0).mid(4);
        const QJsonArray command = QJsonDocument::fromJson(cmd.toUtf8()).array();
        const QString k8s = exportTo(QStringLiteral("k8s"), {QStringLiteral("--version"), QStringLiteral("3")});
        const QJsonObject deployment = ofKind(documents(k8s + QStringLiteral("/fraud-k8s.yaml")), QStringLiteral("Deployment"));
        QCOMPARE(command, deployment[QStringLiteral("spec")][QStringLiteral("template")][QStringLiteral("spec")][QStringLiteral("containers")][0][QStringLiteral("command")].toArray());
        QCOMPARE(command.first().toString(), QStringLiteral("orrery-cli"));
        const int tokenAt = int(command.toVariantList().indexOf(QStringLiteral("--token-file")));
        QVERIFY(tokenAt > 0);
        QCOMPARE(command[tokenAt + 1].toString(), QStringLiteral("/var/run/secrets/orrery/token"));
        QVERIFY(command.contains(QStringLiteral("/models/fraud-v3.pt")));
        QVERIFY(instructions.contains(QStringLiteral("EXPOSE 8080")));

        // A Python user's model: its signature beside it goes into the image beside it.
        const QString py = m_dir.filePath(QStringLiteral("python-image"));
        const Run r = cli({QStringLiteral("export"), QStringLiteral("containerfile"), QStringLiteral("scorer"), QStringLiteral("--model"), QStringLiteral("python"),
                           QStringLiteral("--version"), QStringLiteral("1"), QStringLiteral("--out"), py});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY(readFile(py + QStringLiteral("/Containerfile")).contains("COPY models/scorer-v1.pt.signature.json /models/scorer-v1.pt.signature.json\n"));
        QVERIFY(QJsonDocument::fromJson(readFile(py + QStringLiteral("/models/scorer-v1.pt.signature.json"))).object().contains(QStringLiteral("inputs")));
    }

    void containerfilesBuildConfigures()
    {
        // The Containerfile's cmake line, run on this source tree: its options exist and its
        // targets are the ones it installs (no container engine here to run the rest).
        const QString out = exportTo(QStringLiteral("containerfile"), {QStringLiteral("--version"), QStringLiteral("3")});
        QString text = QString::fromUtf8(readFile(out + QStringLiteral("/Containerfile")));
        text.replace(QStringLiteral("\\\n"), QString());
        const auto configure = QRegularExpression(QStringLiteral("cmake -S /src/orrery -B /src/build ([^&]*)&&")).match(text);
        QVERIFY2(configure.hasMatch(), qPrintable(text));
        const QStringList options = configure.captured(1).simplified().split(QLatin1Char(' '));
        QVERIFY(options.contains(QStringLiteral("-DORRERY_TORCH=ON"))); // orrery-serve is LibTorch's
        QVERIFY(text.contains(QStringLiteral("cmake --build /src/build --target orrery-cli orrery-serve")));
        QVERIFY(text.contains(QStringLiteral("install -m 0755 /src/build/bin/orrery-cli /src/build/bin/orrery-serve /usr/local/bin/")));
        const QString build = m_dir.filePath(QStringLiteral("containerfile-build"));
        const Run r = testing::run(QStringLiteral("cmake"), QStringList{QStringLiteral("-S"), QStringLiteral(ORRERY_SOURCE_DIR), QStringLiteral("-B"), build} + options);
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QString ninja = QString::fromUtf8(readFile(build + QStringLiteral("/build.ninja")));
        QVERIFY2(ninja.contains(QStringLiteral("build bin/orrery-cli:")), "no bin/orrery-cli in the Containerfile's build");
        QVERIFY2(ninja.contains(QStringLiteral("build bin/orrery-serve:")), "no bin/orrery-serve in the Containerfile's build");
    }

    void printsWithoutOut()
    {
        Run r = cli({QStringLiteral("export"), QStringLiteral("k8s"), QStringLiteral("fraud"), QStringLiteral("--model"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("3")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QString file = writeFile(m_dir.filePath(QStringLiteral("printed.yaml")), r.out.toUtf8());
        QCOMPARE(documents(file).size(), 2);
        r = cli({QStringLiteral("export"), QStringLiteral("containerfile"), QStringLiteral("fraud"), QStringLiteral("--model"), QStringLiteral("fraud"),
                 QStringLiteral("--version"), QStringLiteral("3")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY(r.out.startsWith(QStringLiteral("# Containerfile of Orrery endpoint 'fraud'")));
        QVERIFY2(r.err.contains(QStringLiteral("give --out DIR to have it copied there as models/fraud-v3.pt")), qPrintable(r.err));
        r = cli({QStringLiteral("export"), QStringLiteral("argo"), QStringLiteral("fraud"), QStringLiteral("--model"), QStringLiteral("fraud"), QStringLiteral("--version"),
                 QStringLiteral("3"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(json[QStringLiteral("format")].toString(), QStringLiteral("argo"));
        QCOMPARE(json[QStringLiteral("version")].toInt(), 3);
        QCOMPARE(json[QStringLiteral("strategy")].toString(), QStringLiteral("direct")); // no champion: nothing is replaced
        QCOMPARE(json[QStringLiteral("files")][0][QStringLiteral("name")].toString(), QStringLiteral("fraud-rollout.yaml"));
        QVERIFY(json[QStringLiteral("files")][0][QStringLiteral("content")].toString().contains(QStringLiteral("kind: Rollout")));
    }

    void badInputExitsTwoAndNamesIt_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QStringList model{QStringLiteral("--model"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("3")};
        auto row = [&](const char *name, const QStringList &args, const QString &message) { QTest::newRow(name) << args << message; };
        row("unknown format", QStringList{QStringLiteral("helm"), QStringLiteral("fraud")} + model,
            QStringLiteral("unknown export format 'helm'; the formats are k8s, argo, kserve, terraform, containerfile"));
        row("no Kubernetes name", QStringList{QStringLiteral("k8s"), QStringLiteral("Fraud_Model")} + model,
            QStringLiteral("endpoint 'Fraud_Model' is no Kubernetes name"));
        row("step over 100", QStringList{QStringLiteral("argo"), QStringLiteral("fraud")} + model + QStringList{QStringLiteral("--stable-version"), QStringLiteral("2"), QStringLiteral("--steps"), QStringLiteral("5,50,120")},
            QStringLiteral("canary step '120' is not a whole percent from 1 to 100"));
        row("steps not increasing", QStringList{QStringLiteral("argo"), QStringLiteral("fraud")} + model + QStringList{QStringLiteral("--strategy"), QStringLiteral("canary"), QStringLiteral("--steps"), QStringLiteral("5,50,25")},
            QStringLiteral("canary steps must increase: 25 comes after 50"));
        row("step not a number", QStringList{QStringLiteral("argo"), QStringLiteral("fraud")} + model + QStringList{QStringLiteral("--strategy"), QStringLiteral("canary"), QStringLiteral("--steps"), QStringLiteral("5,half")},
            QStringLiteral("canary step 'half' is not a whole percent"));
        row("unknown analysis metric", QStringList{QStringLiteral("argo"), QStringLiteral("fraud")} + model + QStringList{QStringLiteral("--stable-version"), QStringLiteral("2"), QStringLiteral("--analysis"), QStringLiteral("accuracy >= stable")},
            QStringLiteral("unknown metric 'accuracy'"));
        row("relative rule without a stable version", QStringList{QStringLiteral("argo"), QStringLiteral("fraud")} + model + QStringList{QStringLiteral("--strategy"), QStringLiteral("canary"), QStringLiteral("--analysis"), kRules},
            QStringLiteral("compares with the stable version, but v3 replaces none"));
        row("version that does not exist", QStringList{QStringLiteral("k8s"), QStringLiteral("fraud"), QStringLiteral("--model"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("9")},
            QStringLiteral("model 'fraud' has no version 9"));
        row("model that does not exist", QStringList{QStringLiteral("k8s"), QStringLiteral("fraud"), QStringLiteral("--model"), QStringLiteral("nosuch"), QStringLiteral("--version"), QStringLiteral("1")},
            QStringLiteral("registered model 'nosuch' does not exist"));
        row("stable version that does not exist", QStringList{QStringLiteral("argo"), QStringLiteral("fraud")} + model + QStringList{QStringLiteral("--stable-version"), QStringLiteral("7")},
            QStringLiteral("--stable-version: model 'fraud' has no version 7"));
        row("version that cannot be served", QStringList{QStringLiteral("k8s"), QStringLiteral("fraud"), QStringLiteral("--model"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("1")},
            QStringLiteral("model fraud v1 cannot be served"));
        row("shadow", QStringList{QStringLiteral("kserve"), QStringLiteral("fraud")} + model + QStringList{QStringLiteral("--strategy"), QStringLiteral("shadow")},
            QStringLiteral("a shadow deployment cannot be exported as kserve"));
        row("unknown strategy", QStringList{QStringLiteral("k8s"), QStringLiteral("fraud")} + model + QStringList{QStringLiteral("--strategy"), QStringLiteral("rolling")},
            QStringLiteral("unknown strategy 'rolling'"));
        row("version and alias", QStringList{QStringLiteral("k8s"), QStringLiteral("fraud")} + model + QStringList{QStringLiteral("--alias"), QStringLiteral("champion")},
            QStringLiteral("give one of --version V and --alias A"));
        row("bad pause", QStringList{QStringLiteral("argo"), QStringLiteral("fraud")} + model + QStringList{QStringLiteral("--strategy"), QStringLiteral("canary"), QStringLiteral("--pause"), QStringLiteral("soon")},
            QStringLiteral("'soon' is not a duration such as 60s"));
        row("bad port", QStringList{QStringLiteral("k8s"), QStringLiteral("fraud")} + model + QStringList{QStringLiteral("--port"), QStringLiteral("0")},
            QStringLiteral("--port '0'"));
        row("missing endpoint", QStringList{QStringLiteral("k8s")} + model, QStringLiteral("expected `export FORMAT ENDPOINT"));
    }
    void badInputExitsTwoAndNamesIt()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const QString out = m_dir.filePath(QStringLiteral("refused"));
        const Run r = cli(QStringList{QStringLiteral("export")} + args + QStringList{QStringLiteral("--out"), out});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.describe()));
        QVERIFY2(r.out.isEmpty(), qPrintable(r.describe()));
        QVERIFY(!QFile::exists(out)); // nothing written
    }

    void theValidatorsRefuseBrokenManifests()
    {
        // The same exports, each broken in one field that its validator must catch: so a pass
        // above means the schemas were applied, not skipped.
        const QString argo = exportTo(QStringLiteral("argo"), {QStringLiteral("--version"), QStringLiteral("3"), QStringLiteral("--stable-version"), QStringLiteral("2"),
                                                              QStringLiteral("--analysis"), kRules});
        const QString kserve = exportTo(QStringLiteral("kserve"), {QStringLiteral("--version"), QStringLiteral("3"), QStringLiteral("--stable-version"), QStringLiteral("2")});
        const QString k8s = exportTo(QStringLiteral("k8s"), {QStringLiteral("--version"), QStringLiteral("3")});
        const QString broken = m_dir.filePath(QStringLiteral("broken.yaml"));
        const Run mutate = testing::run(kPython, {QStringLiteral("-c"), QStringLiteral(
            "import sys, yaml\n"
            "docs = [d for f in sys.argv[1:4] for d in yaml.safe_load_all(open(f)) if d]\n"
            "for d in docs:\n"
            "    if d['kind'] == 'Rollout': d['spec']['strategy']['canary']['steps'][0]['setWeight'] = 'five'\n"
            "    if d['kind'] == 'AnalysisTemplate': d['spec']['metrics'][0]['provider']['prometheus']['query'] = 5\n"
            "    if d['kind'] == 'InferenceService': d['spec']['predictor']['canaryTrafficPercent'] = 'ten'\n"
            "    if d['kind'] == 'Deployment': d['spec']['replicas'] = 'one'\n"
            "    if d['kind'] == 'Service': d['metadata']['name'] = 'Fraud_Model'\n"
            "yaml.safe_dump_all(docs, open(sys.argv[4], 'w'))\n"),
            argo + QStringLiteral("/fraud-rollout.yaml"), kserve + QStringLiteral("/fraud-inferenceservice.yaml"), k8s + QStringLiteral("/fraud-k8s.yaml"), broken});
        QVERIFY2(mutate.ok(), qPrintable(mutate.describe()));
        const Run r = testing::run(kPython, {validator(), broken});
        QCOMPARE(r.code, 1);
        for (const char *expected : {"invalid Rollout fraud: argo-rollouts/rollout-crd.yaml: spec/strategy/canary/steps/0/setWeight",
                                     "invalid Rollout fraud: @kubernetes-models/argo-rollouts: data/spec/strategy/canary/steps/0/setWeight must be integer",
                                     "invalid AnalysisTemplate fraud-analysis: argo-rollouts/analysis-template-crd.yaml: spec/metrics/0/provider/prometheus/query",
                                     "invalid InferenceService fraud: kserve/serving.kserve.io_inferenceservices.yaml: spec/predictor/canaryTrafficPercent",
                                     "invalid Deployment fraud: kubernetes-models: data/spec/replicas must be integer",
                                     "invalid Service Fraud_Model: name 'Fraud_Model' is no DNS-1035 label"})
            QVERIFY2(r.out.contains(QLatin1String(expected)), qPrintable(expected + QStringLiteral(" not in:\n") + r.out));
    }

    void anOutThatIsAFileIsRefused()
    {
        const QString file = writeFile(m_dir.filePath(QStringLiteral("a-file")), "not a folder");
        const Run r = cli({QStringLiteral("export"), QStringLiteral("k8s"), QStringLiteral("fraud"), QStringLiteral("--model"), QStringLiteral("fraud"),
                           QStringLiteral("--version"), QStringLiteral("3"), QStringLiteral("--out"), file});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("check --out")), qPrintable(r.describe()));
        QCOMPARE(readFile(file), QByteArray("not a folder"));
    }
};

QTEST_GUILESS_MAIN(TstCliExport)
#include "tst_cli_export.moc"
