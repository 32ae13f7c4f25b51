// core/deploy's manifest export without orrery-cli: the spec's validation (names, steps, rules,
// strategies per format), the YAML emitter read back by PyYAML (an independent reader), the
// analysis rules and their PromQL, and what all formats share — the image, the serving command,
// the token Secret. tests/integration/tst_cli_export validates the manifests against the
// published schemas.
#include "core/deploy/manifest_export.h"
#include "core/deploy/manifest_export_analysis.h"
#include "core/deploy/manifest_export_yaml.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace orrery;
using namespace orrery::deploy;

namespace {

ExportSpec baseSpec()
{
    ExportSpec s;
    s.endpoint = QStringLiteral("fraud");
    s.model = QStringLiteral("fraud model");
    s.version = 3;
    s.modelMd5 = QStringLiteral("0123456789abcdef0123456789abcdef");
    s.modelFile = QStringLiteral("/nonexistent/cache/files/md5/01/23456789abcdef0123456789abcdef");
    return s;
}

ExportSpec canarySpec()
{
    ExportSpec s = baseSpec();
    s.strategy = QStringLiteral("canary");
    s.canarySteps = {5, 25, 50, 100};
    s.stableVersion = 2;
    s.analysisRules = QStringLiteral("error_rate <= stable + 0.01, p99_ms <= 1.2 * stable");
    return s;
}

QString text(ExportFormat format, const ExportSpec &spec)
{
    auto files = exportManifests(format, spec);
    if (!files) {
        qWarning("%s", qPrintable(files.status().message()));
        return QString();
    }
    return QString::fromUtf8(files->first().content);
}

// PyYAML's reading of `yaml`, as JSON: the independent oracle of the emitter.
QJsonValue readByPyYaml(const QByteArray &yaml)
{
    testing::ProcessOptions options;
    options.input = yaml;
    const auto r = testing::run(QStringLiteral("/usr/bin/python3"),
                                {QStringLiteral("-c"), QStringLiteral("import sys, json, yaml; print(json.dumps(list(yaml.safe_load_all(sys.stdin))))")},
                                options);
    if (!r.ok())
        qWarning("%s", qPrintable(r.describe()));
    return QJsonDocument::fromJson(r.out.toUtf8()).array().first();
}

} // namespace

class TstManifestExport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void yamlIsReadBackAsWritten()
    {
        // Strings a plain YAML scalar would turn into numbers, booleans or null, YAML syntax
        // characters, Argo's {{args.…}}, PromQL over several lines, and real numbers.
        const QJsonObject object{
            {QStringLiteral("version"), QStringLiteral("3")},
            {QStringLiteral("scrape"), QStringLiteral("true")},
            {QStringLiteral("yes"), QStringLiteral("on")},
            {QStringLiteral("port"), QStringLiteral("8080")},
            {QStringLiteral("float"), QStringLiteral("1e3")},
            {QStringLiteral("octal"), QStringLiteral("0o17")},
            {QStringLiteral("date"), QStringLiteral("2024-01-01")},
            {QStringLiteral("host"), QStringLiteral("0.0.0.0")},
            {QStringLiteral("null"), QStringLiteral("null")},
            {QStringLiteral("tilde"), QStringLiteral("~")},
            {QStringLiteral("empty"), QString()},
            {QStringLiteral("colon"), QStringLiteral("a: b")},
            {QStringLiteral("hash"), QStringLiteral("# not a comment")},
            {QStringLiteral("quotes"), QStringLiteral("it's \"quoted\" \\ here")},
            {QStringLiteral("args"), QStringLiteral("{{args.canary-version}}")},
            {QStringLiteral("star"), QStringLiteral("*anchor &ref !tag %percent @at `tick")},
            {QStringLiteral("dash"), QStringLiteral("--model")},
            {QStringLiteral("unicode"), QStringLiteral("modèle ✓")},
            {QStringLiteral("lines"), QStringLiteral("(\n  a\n  -\n  b\n)\nand on() (c >= 200)\n")},
            {QStringLiteral("lines without a final newline"), QStringLiteral("a\nb")},
            {QStringLiteral("lines with two"), QStringLiteral("a\nb\n\n")},
            {QStringLiteral("trailing space"), QStringLiteral("a \nb\n")},
            {QStringLiteral("int"), 8080},
            {QStringLiteral("real"), 0.01},
            {QStringLiteral("bool"), false},
            {QStringLiteral("list"), QJsonArray{QStringLiteral("5"), 5, QJsonObject{{QStringLiteral("setWeight"), 25}}}},
            {QStringLiteral("emptyList"), QJsonArray{}},
            {QStringLiteral("emptyMap"), QJsonObject{}},
        };
        const QByteArray yaml = toYaml(object);
        QCOMPARE(readByPyYaml(yaml).toObject(), object);
        QVERIFY2(yaml.contains("int: 8080\n"), yaml.constData()); // an integer, not 8080.0
        QVERIFY(yaml.contains("version: \"3\"\n"));
        QVERIFY2(yaml.contains("lines: |\n"), yaml.constData()); // PromQL stays readable
    }

    void yamlPutsKubernetesKeysFirst()
    {
        const QJsonObject object{{QStringLiteral("spec"), 1}, {QStringLiteral("kind"), QStringLiteral("Service")},
                                 {QStringLiteral("apiVersion"), QStringLiteral("v1")}, {QStringLiteral("metadata"), 2},
                                 {QStringLiteral("aaa"), 3}};
        QCOMPARE(toYaml(object), QByteArray("apiVersion: v1\nkind: Service\nmetadata: 2\nspec: 1\naaa: 3\n"));
        QCOMPARE(yamlDocument(object, QStringLiteral("one\ntwo")).left(16), QByteArray("---\n# one\n# two\n"));
    }

    void endpointNamesAreKubernetesNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("error"); // empty: accepted
        QTest::newRow("plain") << "fraud" << "";
        QTest::newRow("dashes and digits") << "fraud-model-2" << "";
        QTest::newRow("54 characters") << QString(54, QLatin1Char('a')) << ""; // '-analysis' makes 63
        QTest::newRow("uppercase and underscore") << "Fraud_Model" << "deploy the endpoint as 'fraud-model'";
        QTest::newRow("leading digit") << "1fraud" << "no Kubernetes name";
        QTest::newRow("trailing dash") << "fraud-" << "no Kubernetes name";
        QTest::newRow("dot") << "fraud.v2" << "no Kubernetes name";
        QTest::newRow("empty") << "" << "empty";
        QTest::newRow("55 characters") << QString(55, QLatin1Char('a')) << "at most 54";
        QTest::newRow("nothing usable") << "___" << "deploy the endpoint under such a name";
    }
    void endpointNamesAreKubernetesNames()
    {
        QFETCH(QString, name);
        QFETCH(QString, error);
        ExportSpec spec = baseSpec();
        spec.endpoint = name;
        const Status s = validateExportSpec(spec);
        if (error.isEmpty()) {
            QVERIFY2(s.isOk(), qPrintable(s.message()));
        } else {
            QCOMPARE(s.code(), ErrorCode::InvalidArgument);
            QVERIFY2(s.message().contains(error), qPrintable(s.message()));
        }
    }

    void analysisRulesParse()
    {
        auto rules = parseAnalysisRules(QStringLiteral(" error_rate <= stable + 0.01; p99_ms <= 1.2 * stable, p99_ms < 250, error_rate > stable * 0.5, error_rate >= stable - 0.1"));
        QVERIFY2(rules, qPrintable(rules.status().message()));
        QCOMPARE(rules->size(), 5);
        const AnalysisRule &a = rules->at(0);
        QCOMPARE(a.metric, AnalysisRule::Metric::ErrorRate);
        QCOMPARE(a.op, AnalysisRule::Op::Le);
        QVERIFY(a.relative);
        QCOMPARE(a.factor, 1.0);
        QCOMPARE(a.offset, 0.01);
        QCOMPARE(a.text, QStringLiteral("error_rate <= stable + 0.01"));
        QCOMPARE(rules->at(1).factor, 1.2);
        QVERIFY(!rules->at(2).relative);
        QCOMPARE(rules->at(2).offset, 250.0);
        QCOMPARE(rules->at(2).op, AnalysisRule::Op::Lt);
        QCOMPARE(rules->at(3).factor, 0.5);
        QCOMPARE(rules->at(3).offset, 0.0);
        QCOMPARE(rules->at(3).op, AnalysisRule::Op::Gt);
        QCOMPARE(rules->at(4).offset, -0.1);
        QCOMPARE(rules->at(4).op, AnalysisRule::Op::Ge);
    }

    void badAnalysisRulesAreRefused_data()
    {
        QTest::addColumn<QString>("rules");
        QTest::addColumn<QString>("error");
        QTest::newRow("unknown metric") << "error_rate <= 0.01, drift <= 0.1" << "analysis rule 2 'drift <= 0.1': unknown metric 'drift'";
        QTest::newRow("equality") << "p99_ms == stable" << "'==' cannot be expected";
        QTest::newRow("no bound") << "p99_ms <=" << "gate rule 'p99_ms <=':";
        QTest::newRow("misspelt stable") << "p99_ms <= 1.2 * stabel" << "the right side '1.2 * stabel' is not a number, stable, stable + N";
        QTest::newRow("garbage after the bound") << "error_rate <= stable + 0.01 + 2" << "the right side 'stable + 0.01 + 2' is not a number";
        QTest::newRow("no operator") << "error_rate 0.01" << "is not 'metric OP number'";
        QTest::newRow("no rules") << " , ;" << "the gate has no rules";
        QTest::newRow("odd character") << "error_rate <= $1" << "the right side '$1' is not a number";
    }
    void badAnalysisRulesAreRefused()
    {
        QFETCH(QString, rules);
        QFETCH(QString, error);
        const auto parsed = parseAnalysisRules(rules);
        QVERIFY(!parsed);
        QVERIFY2(parsed.status().message().contains(error), qPrintable(parsed.status().message()));
        // And through the spec, as the CLI sees it.
        ExportSpec spec = canarySpec();
        spec.analysisRules = rules;
        QVERIFY(!exportManifests(ExportFormat::ArgoRollouts, spec));
    }

    void analysisQueriesReadOrrerysMetrics()
    {
        const auto rules = parseAnalysisRules(canarySpec().analysisRules);
        QVERIFY(rules);
        const QString errorRate = ruleQuery(rules->at(0), 60, 200);
        QVERIFY(errorRate.contains(QStringLiteral("orrery_requests_total{endpoint=\"{{args.endpoint}}\",version=\"{{args.canary-version}}\",code!~\"2..\"}[60s]")));
        QVERIFY(errorRate.contains(QStringLiteral("version=\"{{args.stable-version}}\"")));
        QVERIFY(errorRate.contains(QStringLiteral(" + 0.01")));
        QVERIFY(errorRate.contains(QStringLiteral(">= 200")));
        const QString p99 = ruleQuery(rules->at(1), 60, 200);
        QVERIFY(p99.contains(QStringLiteral("histogram_quantile(0.99, sum by (le) (rate(orrery_request_duration_seconds_bucket{")));
        QVERIFY(p99.contains(QStringLiteral("* 1000")));
        QVERIFY(p99.contains(QStringLiteral("1.2 * (")));
        QCOMPARE(successCondition(rules->at(0)), QStringLiteral("len(result) > 0 && result[0] <= 0"));
        QCOMPARE(failureCondition(rules->at(0)), QStringLiteral("len(result) > 0 && result[0] > 0"));
        // An absolute bound needs no stable version and does not wait for its requests.
        const auto absolute = parseAnalysisRules(QStringLiteral("p99_ms < 250"));
        QVERIFY(absolute);
        const QString q = ruleQuery(absolute->first(), 90, 50);
        QVERIFY(!q.contains(QStringLiteral("stable-version")));
        QVERIFY2(q.contains(QStringLiteral("-\n  (250)\n)")), qPrintable(q));
        QVERIFY(q.endsWith(QLatin1Char('\n')));
        QCOMPARE(successCondition(absolute->first()), QStringLiteral("len(result) > 0 && result[0] < 0"));
        QCOMPARE(failureCondition(absolute->first()), QStringLiteral("len(result) > 0 && result[0] >= 0"));
    }

    void canaryStepsAreChecked_data()
    {
        QTest::addColumn<QList<int>>("steps");
        QTest::addColumn<QString>("error");
        QTest::newRow("over 100") << QList<int>{5, 25, 150} << "canary step 3 is 150%";
        QTest::newRow("zero") << QList<int>{0, 50} << "canary step 1 is 0%";
        QTest::newRow("not increasing") << QList<int>{5, 50, 25} << "canary step 3 (25%) does not increase on step 2 (50%)";
        QTest::newRow("repeated") << QList<int>{5, 5} << "does not increase";
        QTest::newRow("none") << QList<int>{} << "a canary needs its steps";
        QTest::newRow("fine") << QList<int>{1, 2, 99} << "";
    }
    void canaryStepsAreChecked()
    {
        QFETCH(QList<int>, steps);
        QFETCH(QString, error);
        ExportSpec spec = canarySpec();
        spec.canarySteps = steps;
        const Status s = validateExportSpec(spec);
        if (error.isEmpty())
            QVERIFY2(s.isOk(), qPrintable(s.message()));
        else
            QVERIFY2(!s.isOk() && s.message().contains(error), qPrintable(s.message()));
    }

    void specRulesAcrossFields()
    {
        ExportSpec spec = baseSpec();
        spec.canarySteps = {5, 100};
        QVERIFY(validateExportSpec(spec).message().contains(QStringLiteral("steps apply to --strategy canary")));
        spec = canarySpec();
        spec.stableVersion = 0;
        QVERIFY(validateExportSpec(spec).message().contains(QStringLiteral("compares with the stable version")));
        spec.analysisRules = QStringLiteral("error_rate <= 0.02"); // absolute: fine without a stable version
        QVERIFY(validateExportSpec(spec).isOk());
        spec = baseSpec();
        spec.analysisRules = QStringLiteral("error_rate <= 0.02");
        QVERIFY(validateExportSpec(spec).message().contains(QStringLiteral("the analysis runs for --strategy canary or blue-green")));
        spec = baseSpec();
        spec.strategy = QStringLiteral("rolling");
        QVERIFY(validateExportSpec(spec).message().contains(QStringLiteral("unknown strategy 'rolling'")));
        spec = baseSpec();
        spec.stableVersion = 3;
        QVERIFY(validateExportSpec(spec).message().contains(QStringLiteral("cannot be replaced by itself")));
        spec = baseSpec();
        spec.image = QStringLiteral("has space:1");
        QVERIFY(validateExportSpec(spec).message().contains(QStringLiteral("no container image reference")));
        spec = baseSpec();
        spec.modelMd5 = QStringLiteral("abc");
        QVERIFY(validateExportSpec(spec).message().contains(QStringLiteral("is no md5")));
        spec = baseSpec();
        spec.port = 70000;
        QVERIFY(validateExportSpec(spec).message().contains(QStringLiteral("no TCP port")));
        QVERIFY(!parseExportFormat(QStringLiteral("helm")));
        QVERIFY(parseExportFormat(QStringLiteral("helm")).status().message().contains(QStringLiteral("k8s, argo, kserve, terraform, containerfile")));
    }

    void shadowIsExportedOnlyAsTheImage()
    {
        ExportSpec spec = baseSpec();
        spec.strategy = QStringLiteral("shadow");
        spec.stableVersion = 2;
        for (ExportFormat f : {ExportFormat::Kubernetes, ExportFormat::ArgoRollouts, ExportFormat::KServe, ExportFormat::Terraform}) {
            const auto r = exportManifests(f, spec);
            QVERIFY(!r);
            QVERIFY2(r.status().message().contains(QStringLiteral("a shadow deployment cannot be exported as ") + exportFormatName(f)), qPrintable(r.status().message()));
        }
        QVERIFY(exportManifests(ExportFormat::Containerfile, spec));
    }

    void everyFormatNamesTheSameImageCommandAndSecret()
    {
        ExportSpec spec = canarySpec();
        spec.image = QStringLiteral("registry.example.com:5000/team/orrery-fraud:v3");
        spec.port = 9000;
        const QStringList command{QStringLiteral("orrery-cli"), QStringLiteral("serve"), QStringLiteral("--model"), QStringLiteral("/models/fraud-v3.pt"),
                                  QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("3"),
                                  QStringLiteral("--host"), QStringLiteral("0.0.0.0"), QStringLiteral("--port"), QStringLiteral("9000"),
                                  QStringLiteral("--token-file"), QStringLiteral("/var/run/secrets/orrery/token")};
        // The YAML formats, read back: the container's command and image, the token volume.
        for (ExportFormat f : {ExportFormat::Kubernetes, ExportFormat::ArgoRollouts, ExportFormat::KServe}) {
            const QByteArray yaml = text(f, spec).toUtf8();
            testing::ProcessOptions options;
            options.input = yaml;
            const auto r = testing::run(QStringLiteral("/usr/bin/python3"),
                                        {QStringLiteral("-c"), QStringLiteral("import sys, json, yaml; print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d]))")},
                                        options);
            QVERIFY2(r.ok(), qPrintable(r.describe()));
            int pods = 0;
            for (const QJsonValue &doc : QJsonDocument::fromJson(r.out.toUtf8()).array()) {
                const QJsonObject o = doc.toObject();
                const QString kind = o.value(QStringLiteral("kind")).toString();
                QJsonObject podSpec;
                if (kind == QLatin1String("Deployment") || kind == QLatin1String("Rollout"))
                    podSpec = o[QStringLiteral("spec")][QStringLiteral("template")][QStringLiteral("spec")].toObject();
                else if (kind == QLatin1String("InferenceService"))
                    podSpec = o[QStringLiteral("spec")][QStringLiteral("predictor")].toObject();
                else
                    continue;
                ++pods;
                const QJsonObject c = podSpec[QStringLiteral("containers")].toArray().first().toObject();
                QCOMPARE(c[QStringLiteral("image")].toString(), spec.image);
                QCOMPARE(c[QStringLiteral("command")].toArray(), QJsonArray::fromStringList(command));
                QCOMPARE(c[QStringLiteral("readinessProbe")][QStringLiteral("httpGet")][QStringLiteral("path")].toString(), QStringLiteral("/v2/health/ready"));
                QCOMPARE(c[QStringLiteral("livenessProbe")][QStringLiteral("httpGet")][QStringLiteral("path")].toString(), QStringLiteral("/v2/health/live"));
                QCOMPARE(c[QStringLiteral("volumeMounts")][0][QStringLiteral("mountPath")].toString(), QStringLiteral("/var/run/secrets/orrery"));
                QCOMPARE(podSpec[QStringLiteral("volumes")][0][QStringLiteral("secret")][QStringLiteral("secretName")].toString(), QStringLiteral("fraud-token"));
            }
            QCOMPARE(pods, 1);
            QVERIFY2(yaml.contains("kubectl create secret generic fraud-token --from-file=token=./token"), yaml.constData());
        }
        const QString tf = text(ExportFormat::Terraform, spec);
        QVERIFY(tf.contains(spec.image));
        const QString containerfile = text(ExportFormat::Containerfile, spec);
        QVERIFY(containerfile.contains(QStringLiteral("podman build -t ") + spec.image));
        QVERIFY(containerfile.contains(QStringLiteral("CMD ") + QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(command)).toJson(QJsonDocument::Compact))));
        QVERIFY(containerfile.contains(QStringLiteral("COPY models/fraud-v3.pt /models/fraud-v3.pt\n")));
        QVERIFY(containerfile.contains(QStringLiteral("EXPOSE 9000\n")));
        // Without an image, every format names the default one.
        QCOMPARE(defaultImage(spec), QStringLiteral("orrery-fraud:v3"));
    }

    void argoStepsMirrorTheCanary()
    {
        ExportSpec spec = canarySpec();
        spec.pauseSeconds = 90;
        const QString yaml = text(ExportFormat::ArgoRollouts, spec);
        // setWeight, pause, analysis for each step below 100, then the last weight.
        QCOMPARE(yaml.count(QStringLiteral("- setWeight: ")), 4);
        QCOMPARE(yaml.count(QStringLiteral("duration: \"90s\"")), 3);
        QCOMPARE(yaml.count(QStringLiteral("- templateName: fraud-analysis")), 3);
        QVERIFY(yaml.indexOf(QStringLiteral("setWeight: 5\n")) < yaml.indexOf(QStringLiteral("setWeight: 25\n")));
        QVERIFY(yaml.indexOf(QStringLiteral("setWeight: 50\n")) < yaml.indexOf(QStringLiteral("setWeight: 100\n")));
        QVERIFY(yaml.contains(QStringLiteral("kind: AnalysisTemplate")));
        QVERIFY(yaml.contains(QStringLiteral("[90s]"))); // the window is the pause
        // No rules: no template, no analysis steps.
        spec.analysisRules.clear();
        const QString plain = text(ExportFormat::ArgoRollouts, spec);
        QVERIFY(!plain.contains(QStringLiteral("AnalysisTemplate")));
        QVERIFY(!plain.contains(QStringLiteral("analysis:")));
        // Blue-green: the preview service and manual promotion.
        spec = canarySpec();
        spec.strategy = QStringLiteral("blue-green");
        spec.canarySteps.clear();
        const QString bg = text(ExportFormat::ArgoRollouts, spec);
        QVERIFY(bg.contains(QStringLiteral("activeService: fraud\n")));
        QVERIFY(bg.contains(QStringLiteral("previewService: fraud-preview\n")));
        QVERIFY(bg.contains(QStringLiteral("autoPromotionEnabled: false\n")));
        QVERIFY(bg.contains(QStringLiteral("prePromotionAnalysis:")));
        QVERIFY(bg.contains(QStringLiteral("name: fraud-preview\n")));
    }

    void kserveCarriesTheTrafficSplit()
    {
        ExportSpec spec = canarySpec();
        spec.canarySteps = {10, 50, 100};
        QString yaml = text(ExportFormat::KServe, spec);
        QVERIFY(yaml.contains(QStringLiteral("canaryTrafficPercent: 10\n")));
        QVERIFY(yaml.contains(QStringLiteral("raise canaryTrafficPercent to 50")));
        QVERIFY(yaml.contains(QStringLiteral("KServe runs no analysis")));
        QVERIFY(yaml.contains(QStringLiteral("name: kserve-container\n")));
        spec.strategy = QStringLiteral("blue-green");
        spec.canarySteps.clear();
        yaml = text(ExportFormat::KServe, spec);
        QVERIFY(yaml.contains(QStringLiteral("canaryTrafficPercent: 0\n")));
        QVERIFY(yaml.contains(QStringLiteral("serving.kserve.io/enable-tag-routing: \"true\"")));
        spec = baseSpec();
        QVERIFY(!text(ExportFormat::KServe, spec).contains(QStringLiteral("canaryTrafficPercent")));
    }

    void exportIsDeterministic()
    {
        for (ExportFormat f : {ExportFormat::Kubernetes, ExportFormat::ArgoRollouts, ExportFormat::KServe, ExportFormat::Terraform, ExportFormat::Containerfile})
            QCOMPARE(text(f, canarySpec()), text(f, canarySpec()));
    }
};

QTEST_GUILESS_MAIN(TstManifestExport)
#include "tst_manifest_export.moc"
