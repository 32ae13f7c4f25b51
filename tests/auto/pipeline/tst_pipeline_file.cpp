// dvc.yaml and params.yaml: reading DVC's forms, foreach/matrix expansion, interpolation, errors
// with file:line:column, and writing back what `dvc repro` reads the same way.
#include "core/pipeline/pipeline_file.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::pipeline;

class TstPipelineFile : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    void writeParams(const QByteArray &text)
    {
        QFile f(m_dir.filePath(QStringLiteral("params.yaml")));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text);
    }

private Q_SLOTS:
    void readsEveryStageKey()
    {
        writeParams("prepare:\n  seed: 7\n  split: 0.2\n");
        const QByteArray yaml = R"(stages:
  prepare:
    cmd: python src/prepare.py data/data.xml --seed ${prepare.seed}
    wdir: .
    deps: [src/prepare.py, data/data.xml]
    params: [prepare.seed, prepare.split, {custom.yaml: [lr]}, {other.yaml: }]
    outs: [data/prepared, {model.pkl: {cache: true, persist: true, push: true}}]
    metrics: [{eval/metrics.json: {cache: false}}]
    plots: [{eval/prc.json: {x: recall, y: precision, template: linear, title: PRC}}]
    frozen: true
    always_changed: false
    desc: "prepares: the data"
    meta: {owner: me}
metrics: [eval/metrics.json]
plots: [eval/plots/images, {ROC: {x: fpr, y: {eval/roc.json: tpr}}}]
)";
        auto file = PipelineFile::parse(yaml, QStringLiteral("dvc.yaml"), m_dir.path());
        QVERIFY2(file.isOk(), qPrintable(file.status().message()));
        const Stage *s = file->stage(QStringLiteral("prepare"));
        QVERIFY(s);
        QCOMPARE(s->cmd, QStringList{QStringLiteral("python src/prepare.py data/data.xml --seed 7")});
        QCOMPARE(s->deps, (QStringList{QStringLiteral("src/prepare.py"), QStringLiteral("data/data.xml")}));
        QCOMPARE(s->params.size(), 4);
        QCOMPARE(s->params[2].file, QStringLiteral("custom.yaml"));
        QCOMPARE(s->params[2].key, QStringLiteral("lr"));
        QVERIFY(s->params[3].key.isEmpty());
        QCOMPARE(s->outs.size(), 2);
        QVERIFY(s->outs[1].persist);
        QCOMPARE(s->outs[1].options.size(), size_t(1)); // push kept
        QVERIFY(!s->metrics[0].cache);
        QCOMPARE(s->plots[0].options.size(), size_t(4));
        QVERIFY(s->frozen);
        QCOMPARE(s->desc, QStringLiteral("prepares: the data"));
        QCOMPARE(file->topLevel.size(), size_t(2));

        // Written and read again: the same stage, the same top level.
        const QByteArray written = file->serialize();
        auto again = PipelineFile::parse(written, QStringLiteral("dvc.yaml"), m_dir.path());
        QVERIFY2(again.isOk(), qPrintable(again.status().message() + QStringLiteral("\n") + QString::fromUtf8(written)));
        const Stage *t = again->stage(QStringLiteral("prepare"));
        QCOMPARE(t->outs.size(), 2);
        QCOMPARE(t->params.size(), 4);
        QVERIFY(t->frozen);
        QCOMPARE(again->serialize(), written);
        QVERIFY(written.contains("desc: 'prepares: the data'"));
        QVERIFY2(written.contains("--seed ${prepare.seed}"), written.constData()); // templates survive

        // An edited stage is written from its fields; the fields not edited keep their text.
        Stage edited = *s;
        edited.deps << QStringLiteral("src/extra.py");
        file->setStage(edited);
        QVERIFY2(file->serialize().contains("--seed ${prepare.seed}"), file->serialize().constData());
        QVERIFY(file->serialize().contains("src/extra.py"));
        edited.cmd = {QStringLiteral("python src/prepare.py --fast")};
        edited.params = {{QStringLiteral("params.yaml"), QStringLiteral("prepare.seed")}};
        file->setStage(edited);
        auto third = PipelineFile::parse(file->serialize(), QStringLiteral("dvc.yaml"), m_dir.path());
        QVERIFY2(third.isOk(), qPrintable(third.status().message() + QString::fromUtf8(file->serialize())));
        QCOMPARE(third->stage(QStringLiteral("prepare"))->cmd[0], QStringLiteral("python src/prepare.py --fast"));
        QCOMPARE(third->stage(QStringLiteral("prepare"))->outs.size(), 2);
        QVERIFY(third->stage(QStringLiteral("prepare"))->outs[1].persist);
        QVERIFY(!third->stage(QStringLiteral("prepare"))->metrics[0].cache);
    }

    void foreachAndMatrixExpandAsDvcNamesThem()
    {
        writeParams("models: [a, b]\n");
        const QByteArray yaml = R"(stages:
  build:
    foreach: [us, uk]
    do:
      cmd: make ${item}
      outs:
      - out/${item}.bin
  train:
    foreach:
      small: {lr: 0.1}
      big: {lr: 0.01}
    do:
      cmd: train --lr ${item.lr} --name ${key}
  rows:
    foreach: [{x: 1}, {x: 2}]
    do:
      cmd: echo ${item.x}
  grid:
    matrix:
      lr: [0.1, 0.01]
      model: ${models}
    cmd: fit ${item.lr} ${item.model}
    outs:
    - m/${item.model}-${item.lr}
)";
        auto file = PipelineFile::parse(yaml, QStringLiteral("dvc.yaml"), m_dir.path());
        QVERIFY2(file.isOk(), qPrintable(file.status().message()));
        QStringList names;
        for (const auto &s : file->stages())
            names << s.name;
        QCOMPARE(names, (QStringList{QStringLiteral("build@us"), QStringLiteral("build@uk"), QStringLiteral("train@small"), QStringLiteral("train@big"),
                                     QStringLiteral("rows@0"), QStringLiteral("rows@1"), QStringLiteral("grid@0.1-a"), QStringLiteral("grid@0.1-b"),
                                     QStringLiteral("grid@0.01-a"), QStringLiteral("grid@0.01-b")}));
        QCOMPARE(file->stage(QStringLiteral("build@uk"))->outs[0].path, QStringLiteral("out/uk.bin"));
        QCOMPARE(file->stage(QStringLiteral("train@big"))->cmd[0], QStringLiteral("train --lr 0.01 --name big"));
        QCOMPARE(file->stage(QStringLiteral("grid@0.01-b"))->cmd[0], QStringLiteral("fit 0.01 b"));
        // Groups are written back unexpanded, so dvc expands them the same way.
        const QByteArray written = file->serialize();
        QVERIFY(written.contains("foreach:"));
        QVERIFY(written.contains("matrix:"));
        auto again = PipelineFile::parse(written, QStringLiteral("dvc.yaml"), m_dir.path());
        QVERIFY2(again.isOk(), qPrintable(again.status().message()));
        QCOMPARE(again->stages().size(), 10);
    }

    void invalidYamlNamesFileLineColumn()
    {
        auto file = PipelineFile::parse("stages:\n  a:\n    cmd: [unclosed\n    deps: x\n", QStringLiteral("dvc.yaml"), m_dir.path());
        QVERIFY(!file.isOk());
        QCOMPARE(file.status().code(), ErrorCode::InvalidArgument);
        QVERIFY2(QRegularExpression(QStringLiteral("^dvc\\.yaml:\\d+:\\d+: invalid YAML")).match(file.status().message()).hasMatch(), qPrintable(file.status().message()));

        auto tab = PipelineFile::parse("stages:\n  a:\n    cmd: x\n   bad: y\n", QStringLiteral("dvc.yaml"), m_dir.path());
        QVERIFY(!tab.isOk());
        QVERIFY2(tab.status().message().startsWith(QStringLiteral("dvc.yaml:4:")), qPrintable(tab.status().message()));
    }

    void shapeErrorsNamePlaceAndStage()
    {
        auto unknownKey = PipelineFile::parse("stages:\n  a:\n    cmd: x\n    dpes: [y]\n", QStringLiteral("dvc.yaml"), m_dir.path());
        QVERIFY(!unknownKey.isOk());
        QVERIFY2(unknownKey.status().message().contains(QStringLiteral("dvc.yaml:4:11: stage 'a': unknown key 'dpes'")), qPrintable(unknownKey.status().message()));
        auto noCmd = PipelineFile::parse("stages:\n  a:\n    deps: [y]\n", QStringLiteral("dvc.yaml"), m_dir.path());
        QVERIFY(!noCmd.isOk());
        QVERIFY2(noCmd.status().message().contains(QStringLiteral("no 'cmd'")), qPrintable(noCmd.status().message()));
        auto outside = PipelineFile::parse("stages:\n  a:\n    cmd: x\n    outs: [../etc/passwd]\n", QStringLiteral("dvc.yaml"), m_dir.path());
        QVERIFY(!outside.isOk());
        QVERIFY2(outside.status().message().contains(QStringLiteral("../etc/passwd")), qPrintable(outside.status().message()));
        auto dup = PipelineFile::parse("stages:\n  a:\n    cmd: x\n  a:\n    cmd: y\n", QStringLiteral("dvc.yaml"), m_dir.path());
        QVERIFY(!dup.isOk());
        QVERIFY2(dup.status().message().contains(QStringLiteral("duplicate key 'a'")), qPrintable(dup.status().message()));
    }

    void missingInterpolatedParamIsNamed()
    {
        writeParams("train:\n  lr: 0.1\n");
        auto file = PipelineFile::parse("stages:\n  train:\n    cmd: fit --epochs ${train.epochs}\n", QStringLiteral("dvc.yaml"), m_dir.path());
        QVERIFY(!file.isOk());
        QVERIFY2(file.status().message().contains(QStringLiteral("${train.epochs} is not defined")), qPrintable(file.status().message()));
        QVERIFY2(file.status().message().startsWith(QStringLiteral("dvc.yaml:3:10: stage 'train'")), qPrintable(file.status().message()));
        // An escaped \${…} stays literal.
        auto literal = PipelineFile::parse("stages:\n  a:\n    cmd: echo \\${HOME}\n", QStringLiteral("dvc.yaml"), m_dir.path());
        QVERIFY2(literal.isOk(), qPrintable(literal.status().message()));
        QCOMPARE(literal->stage(QStringLiteral("a"))->cmd[0], QStringLiteral("echo ${HOME}"));
    }

    void paramValuesAndYamlScalars()
    {
        auto doc = parseYamlDocument("a: 1\nb: 1.50\nc: '1'\nd: true\ne: ~\nf: 1e-5\ng: [1, x]\nh: {i: j}\nk: 0x1F\n", QStringLiteral("p.yaml"));
        QVERIFY(doc.isOk());
        QCOMPARE(doc->find(QStringLiteral("a"))->kind(), ParamValue::Kind::Int);
        QCOMPARE(doc->find(QStringLiteral("b"))->canonical(), QStringLiteral("1.5"));
        QCOMPARE(doc->find(QStringLiteral("c"))->kind(), ParamValue::Kind::String);
        QCOMPARE(doc->find(QStringLiteral("d"))->kind(), ParamValue::Kind::Bool);
        QCOMPARE(doc->find(QStringLiteral("e"))->kind(), ParamValue::Kind::Null);
        QCOMPARE(doc->find(QStringLiteral("f"))->interpolationText(), QStringLiteral("1e-05"));
        QCOMPARE(doc->find(QStringLiteral("g.1"))->toStringValue(), QStringLiteral("x"));
        QCOMPARE(doc->find(QStringLiteral("h.i"))->toStringValue(), QStringLiteral("j"));
        QCOMPARE(doc->find(QStringLiteral("k"))->toInt(), 31);
        QCOMPARE(formatFloat(100.0), QStringLiteral("100.0"));
        QCOMPARE(formatFloat(0.1), QStringLiteral("0.1"));
        QCOMPARE(formatFloat(1e16), QStringLiteral("1e+16"));
        QCOMPARE(formatFloat(0.0001), QStringLiteral("0.0001"));
        QCOMPARE(yamlQuote(QStringLiteral("2.0")), QStringLiteral("'2.0'"));
        QCOMPARE(yamlQuote(QStringLiteral("true")), QStringLiteral("'true'"));
        QCOMPARE(yamlQuote(QStringLiteral("a: b")), QStringLiteral("'a: b'"));
        QCOMPARE(yamlQuote(QStringLiteral("it's")), QStringLiteral("it's"));
        QCOMPARE(yamlQuote(QStringLiteral("'x'")), QStringLiteral("'''x'''"));
        QCOMPARE(yamlQuote(QStringLiteral("data/x.csv")), QStringLiteral("data/x.csv"));
        // Emitted documents read back as the same values.
        const QByteArray text = serializeYamlDocument(*doc);
        auto back = parseYamlDocument(text, QStringLiteral("p.yaml"));
        QVERIFY2(back.isOk(), qPrintable(back.status().message()));
        QCOMPARE(back->canonical(), doc->canonical());
    }
};

QTEST_GUILESS_MAIN(TstPipelineFile)
#include "tst_pipeline_file.moc"
