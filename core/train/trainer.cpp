#include "core/train/trainer.h"

#include "core/common/atomic_file.h"
#include "core/common/hashing.h"
#include "core/common/job.h"
#include "core/common/random.h"
#include "core/train/dataset.h"
#include "core/train/gradient_sync.h"
#include "core/train/run_recorder.h"
#include "core/train/torch_models.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

#include <cmath>
#include <mutex>
#include <sstream>

namespace orrery::train {

struct PreparedTraining {
    TrainRequest request;
    PreparedData data;
    QString fingerprint;
    QString dataMd5;
    QString checkpointPath; // resume from here
};

void PreparedDeleter::operator()(PreparedTraining *p) const { delete p; }

QJsonObject TrainOutcome::toJson() const
{
    QJsonObject o{{QStringLiteral("run_id"), runId},
                  {QStringLiteral("model_path"), modelPath},
                  {QStringLiteral("model_artifact"), modelArtifact},
                  {QStringLiteral("signature_path"), signaturePath},
                  {QStringLiteral("model_md5"), modelMd5},
                  {QStringLiteral("steps"), steps},
                  {QStringLiteral("epochs"), epochs},
                  {QStringLiteral("stopped_early"), stoppedEarly},
                  {QStringLiteral("pruned"), pruned},
                  {QStringLiteral("best_epoch"), bestEpoch},
                  {QStringLiteral("final_train_loss"), finalTrainLoss},
                  {QStringLiteral("validation"), validation.toJson()}};
    if (!test.overall.isEmpty())
        o.insert(QStringLiteral("test"), test.toJson());
    return o;
}

namespace {

const char *kCheckpointFormat = "orrery-checkpoint-1";

QString errorText(const std::exception &e)
{
    if (auto c = dynamic_cast<const c10::Error *>(&e))
        return QString::fromStdString(c->what_without_backtrace()).section(QLatin1Char('\n'), 0, 0);
    return QString::fromUtf8(e.what()).section(QLatin1Char('\n'), 0, 0);
}

QString fileMd5(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QString();
    QCryptographicHash h(QCryptographicHash::Md5);
    h.addData(&f);
    return QString::fromLatin1(h.result().toHex());
}

// What makes a checkpoint belong to a run: the task, the fitted preprocessing (so the data and
// split) and the network's shape.
QString fingerprintOf(const TrainConfig &c, const Preprocessor &pre)
{
    QJsonObject o{{QStringLiteral("preprocessing"), pre.toJson()}};
    for (const auto &[k, v] : configParams(c))
        if (k.startsWith(QLatin1String("model.")) || k == QLatin1String("task") || k == QLatin1String("optimizer.name"))
            o.insert(k, v);
    return common::md5Hex(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QStringList metricNames(Task t)
{
    if (t == Task::Classification || t == Task::Image)
        return {QStringLiteral("loss"), QStringLiteral("accuracy"), QStringLiteral("precision"), QStringLiteral("recall"), QStringLiteral("f1"),
                QStringLiteral("roc_auc"), QStringLiteral("pr_auc"), QStringLiteral("log_loss"), QStringLiteral("calibration_error")};
    return {QStringLiteral("loss"), QStringLiteral("mae"), QStringLiteral("rmse"), QStringLiteral("mape"), QStringLiteral("r2")};
}

struct CheckpointMeta {
    QJsonObject json;
};

Result<CheckpointMeta> readCheckpointMeta(const QString &path)
{
    if (!QFileInfo(path).isFile())
        return invalidArgument(QStringLiteral("cannot read the checkpoint '%1': no such file").arg(path));
    try {
        torch::serialize::InputArchive a;
        a.load_from(QFile::encodeName(path).toStdString());
        c10::IValue meta;
        if (!a.try_read("orrery_meta", meta) || !meta.isString())
            return invalidArgument(QStringLiteral("'%1' is not an Orrery checkpoint (it has no orrery_meta record)").arg(path));
        const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(meta.toStringRef()));
        if (!doc.isObject() || doc.object().value(QStringLiteral("format")).toString() != QLatin1String(kCheckpointFormat))
            return invalidArgument(QStringLiteral("'%1' is a checkpoint of an unknown format").arg(path));
        return CheckpointMeta{doc.object()};
    } catch (const std::exception &e) {
        return invalidArgument(QStringLiteral("cannot read the checkpoint '%1': it is not a LibTorch archive (%2)").arg(path, errorText(e)));
    }
}

double learningRate(const OptimizerConfig &o, qint64 step, int epoch, qint64 totalSteps)
{
    double f = 1.0;
    switch (o.schedule) {
    case Schedule::Constant: break;
    case Schedule::Step: f = std::pow(o.gamma, epoch / o.stepSize); break;
    case Schedule::Exponential: f = std::pow(o.gamma, epoch); break;
    case Schedule::Cosine: f = 0.5 * (1.0 + std::cos(M_PI * double(std::min(step, totalSteps)) / double(std::max<qint64>(1, totalSteps)))); break;
    }
    if (o.warmupSteps > 0 && step < o.warmupSteps)
        f *= double(step + 1) / double(o.warmupSteps);
    return o.lr * f;
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const OptimizerConfig &o, std::vector<torch::Tensor> params)
{
    switch (o.kind) {
    case OptimizerKind::Sgd:
        return std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weightDecay));
    case OptimizerKind::Adam:
        return std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(o.lr).weight_decay(o.weightDecay));
    case OptimizerKind::AdamW:
        return std::make_unique<torch::optim::AdamW>(params, torch::optim::AdamWOptions(o.lr).weight_decay(o.weightDecay));
    }
    return nullptr;
}

// The shuffle of one epoch depends only on the seed and the epoch, so a resumed run (or another
// rank) draws the same order.
std::vector<int64_t> permutation(int n, quint64 seed, int epoch)
{
    std::vector<int64_t> p(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) p[size_t(i)] = i;
    common::Random rnd(seed * 0x9e3779b97f4a7c15ULL + quint64(epoch) + 1);
    for (int i = n - 1; i > 0; --i)
        std::swap(p[size_t(i)], p[size_t(rnd.below(quint64(i) + 1))]);
    return p;
}

Evaluation evaluate(ModelNetImpl &net, const PreparedData &data, const Split &split, const QString &sliceColumn)
{
    int cols = 0;
    const auto pred = predictSplit(net, data.pre, split, &cols);
    const Task t = data.pre.task;
    if (t == Task::Classification || t == Task::Image) {
        std::vector<int> labels(split.target.begin(), split.target.end());
        return evaluateClassification(pred, cols, labels, split.slices, sliceColumn);
    }
    std::vector<double> actual(split.target.size());
    for (size_t i = 0; i < actual.size(); ++i)
        actual[i] = double(split.target[i]) * data.pre.targetScale + data.pre.targetMean;
    QStringList slices;
    if (t == Task::Regression)
        slices = split.slices;
    return evaluateRegression(pred, actual, slices, t == Task::Regression ? sliceColumn : QString());
}

double validationLoss(const Evaluation &e, const Preprocessor &pre)
{
    if (pre.task == Task::Classification || pre.task == Task::Image)
        return e.overall.value(QStringLiteral("log_loss"));
    const double r = e.overall.value(QStringLiteral("rmse")) / pre.targetScale;
    return r * r;
}

class Loop {
public:
    Loop(PreparedTraining &p, common::JobContext *job) : m_p(p), m_c(p.request.config), m_job(job) {}
    // run() with LibTorch's exceptions turned into a Status (and the run marked FAILED).
    Result<TrainOutcome> execute()
    {
        try {
            return run();
        } catch (const std::exception &e) {
            return fail(internalError(QStringLiteral("training failed inside LibTorch: %1").arg(errorText(e))));
        }
    }

private:
    // The training data as tensors over the prepared arrays (no copies), and the loss's shape.
    struct Tensors {
        int rows = 0, codeWidth = 0;
        bool classify = false, binary = false;
        torch::Tensor dense, codes, target, targetClass;
        torch::Tensor rowWeight; // per row, from the class weights; undefined: all 1
    };

    // run(), in its steps.
    Result<TrainOutcome> run();
    Status setUp();                        // threads, seed, model, optimiser, Gloo, the run, a checkpoint
    Tensors trainingTensors() const;
    // One optimiser step over rows [lo, hi) of the permutation; the batch's loss (summed over ranks).
    Result<double> step(const Tensors &t, const torch::Tensor &rows, qint64 globalRows, int epoch, qint64 totalSteps);
    Status afterStep(int epoch, int batch, int stepsPerEpoch, double loss, qint64 totalSteps);
    // Metrics of the epoch, validation and early stopping; sets *stop when patience ran out.
    void endEpoch(int epoch, qint64 totalSteps, TrainOutcome &outcome, bool *stop);
    // The best weights back, the final evaluation, the export and the run's end.
    Result<TrainOutcome> finish(TrainOutcome outcome, double lastLoss);
    Status saveCheckpoint(int epoch, int nextBatch);
    Status loadCheckpoint(const QString &path, int *epoch, int *batch);
    Status fail(const Status &s)
    {
        if (!s.isOk() && m_recorder) {
            const auto state = s.code() == ErrorCode::Cancelled ? tracking::RunStatus::Killed : tracking::RunStatus::Failed;
            (void)m_recorder->finish(state, s.code() == ErrorCode::Cancelled ? QString() : s.message());
        }
        return s;
    }
    std::vector<torch::Tensor> stateTensors()
    {
        std::vector<torch::Tensor> v;
        for (const auto &t : m_net->parameters()) v.push_back(t);
        for (const auto &t : m_net->buffers()) v.push_back(t);
        return v;
    }

    PreparedTraining &m_p;
    const TrainConfig &m_c;
    common::JobContext *m_job;
    std::shared_ptr<ModelNetImpl> m_net;
    std::unique_ptr<torch::optim::Optimizer> m_opt;
    std::unique_ptr<GradientSync> m_sync;
    std::unique_ptr<RunRecorder> m_recorder;
    QString m_outDir;
    int m_startEpoch = 0, m_startBatch = 0; // where a resumed run goes on
    std::vector<torch::Tensor> m_params;    // the model's parameters, in a fixed order
    int m_stepDelayMs = 0;                  // ORRERY_TRAIN_STEP_DELAY_MS: tests get time to kill a run
    qint64 m_step = 0;
    double m_epochLossSum = 0.0;
    qint64 m_epochBatches = 0;
    double m_best = std::nan("");
    int m_bestEpoch = 0;
    int m_badEpochs = 0;
    std::vector<torch::Tensor> m_bestState;
};

Status Loop::saveCheckpoint(int epoch, int nextBatch)
{
    const QString dir = m_outDir + QStringLiteral("/checkpoints");
    QDir().mkpath(dir);
    torch::serialize::OutputArchive a;
    const QJsonObject meta{{QStringLiteral("format"), QLatin1String(kCheckpointFormat)},
                           {QStringLiteral("fingerprint"), m_p.fingerprint},
                           {QStringLiteral("step"), m_step},
                           {QStringLiteral("epoch"), epoch},
                           {QStringLiteral("batch"), nextBatch},
                           {QStringLiteral("epoch_loss_sum"), m_epochLossSum},
                           {QStringLiteral("epoch_batches"), m_epochBatches},
                           {QStringLiteral("best"), std::isnan(m_best) ? QJsonValue() : QJsonValue(m_best)},
                           {QStringLiteral("best_epoch"), m_bestEpoch},
                           {QStringLiteral("bad_epochs"), m_badEpochs},
                           {QStringLiteral("world_size"), m_p.request.distributed.worldSize},
                           {QStringLiteral("run_id"), m_recorder ? m_recorder->runId() : QString()}};
    a.write("orrery_meta", c10::IValue(QJsonDocument(meta).toJson(QJsonDocument::Compact).toStdString()));
    const auto state = stateTensors();
    for (size_t i = 0; i < state.size(); ++i)
        a.write("state/" + std::to_string(i), state[i], /*is_buffer=*/true);
    for (size_t i = 0; i < m_bestState.size(); ++i)
        a.write("best/" + std::to_string(i), m_bestState[i], true);
    torch::serialize::OutputArchive opt;
    m_opt->save(opt);
    a.write("optimizer", opt);
    {
        auto gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        a.write("rng", gen.get_state(), true);
    }
    std::ostringstream out;
    a.save_to(out);
    const std::string bytes = out.str();
    const QString path = QStringLiteral("%1/step-%2.pt").arg(dir).arg(m_step);
    ORRERY_TRY(common::writeFileAtomically(path, QByteArray(bytes.data(), qsizetype(bytes.size()))));
    if (m_recorder)
        ORRERY_TRY(m_recorder->logArtifact(QStringLiteral("checkpoints/step-%1.pt").arg(m_step), path));
    // Keep the latest three here (the artifacts keep them all).
    QStringList files = QDir(dir).entryList({QStringLiteral("step-*.pt")}, QDir::Files);
    std::sort(files.begin(), files.end(), [](const QString &x, const QString &y) { return x.mid(5).chopped(3).toLongLong() < y.mid(5).chopped(3).toLongLong(); });
    while (files.size() > 3)
        QFile::remove(dir + QLatin1Char('/') + files.takeFirst());
    return Status::ok();
}

Status Loop::loadCheckpoint(const QString &path, int *epoch, int *batch)
{
    ORRERY_ASSIGN_OR_RETURN(auto meta, readCheckpointMeta(path));
    const QJsonObject &j = meta.json;
    torch::serialize::InputArchive a;
    a.load_from(QFile::encodeName(path).toStdString());
    torch::NoGradGuard noGrad;
    auto state = stateTensors();
    for (size_t i = 0; i < state.size(); ++i) {
        torch::Tensor t;
        a.read("state/" + std::to_string(i), t, true);
        state[i].copy_(t);
    }
    m_bestState.clear();
    for (size_t i = 0; i < state.size(); ++i) {
        torch::Tensor t;
        if (!a.try_read("best/" + std::to_string(i), t, true))
            break;
        m_bestState.push_back(t.clone());
    }
    torch::serialize::InputArchive opt;
    a.read("optimizer", opt);
    m_opt->load(opt);
    torch::Tensor rng;
    a.read("rng", rng, true);
    {
        auto gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_state(rng);
    }
    m_step = j.value(QStringLiteral("step")).toInteger();
    *epoch = j.value(QStringLiteral("epoch")).toInt();
    *batch = j.value(QStringLiteral("batch")).toInt();
    m_epochLossSum = j.value(QStringLiteral("epoch_loss_sum")).toDouble();
    m_epochBatches = j.value(QStringLiteral("epoch_batches")).toInteger();
    m_best = j.value(QStringLiteral("best")).isDouble() ? j.value(QStringLiteral("best")).toDouble() : std::nan("");
    m_bestEpoch = j.value(QStringLiteral("best_epoch")).toInt();
    m_badEpochs = j.value(QStringLiteral("bad_epochs")).toInt();
    return Status::ok();
}

Status Loop::setUp()
{
    const TrainRequest &req = m_p.request;
    const int world = req.distributed.worldSize;
    at::set_num_threads(m_c.loop.threads);
    torch::manual_seed(m_c.loop.seed);
    m_net = buildModel(m_c, m_p.data.pre);
    m_opt = makeOptimizer(m_c.optimizer, m_net->parameters());
    m_params = m_net->parameters();
    m_stepDelayMs = qEnvironmentVariableIntValue("ORRERY_TRAIN_STEP_DELAY_MS");
    if (world > 1) {
        ORRERY_ASSIGN_OR_RETURN(auto sync, GradientSync::connect(req.distributed));
        m_sync = std::move(sync);
    }
    if (req.distributed.rank == 0 && (!req.databasePath.isEmpty() || !req.jobDir.isEmpty())) {
        ORRERY_ASSIGN_OR_RETURN(auto rec, RunRecorder::start(req, configParams(m_c), m_p.dataMd5));
        m_recorder = std::move(rec);
        m_outDir = m_recorder->workDir();
        if (world > 1)
            (void)m_recorder->setTag(QStringLiteral("orrery.world_size"), QString::number(world));
        for (const auto &[key, value] : req.tags)
            (void)m_recorder->setTag(key, value);
    } else {
        m_outDir = req.outputDir;
        if (!m_outDir.isEmpty())
            QDir().mkpath(m_outDir);
    }
    if (!m_p.checkpointPath.isEmpty())
        return fail(loadCheckpoint(m_p.checkpointPath, &m_startEpoch, &m_startBatch));
    return Status::ok();
}

Loop::Tensors Loop::trainingTensors() const
{
    const PreparedData &data = m_p.data;
    const Preprocessor &pre = data.pre;
    const Split &tr = data.train;
    Tensors t;
    t.rows = tr.rows;
    t.codeWidth = pre.codeWidth();
    t.classify = m_c.task == Task::Classification || m_c.task == Task::Image;
    const int classes = int(pre.classes.size());
    t.binary = t.classify && classes == 2;
    const int n = t.rows;
    t.dense = torch::from_blob(const_cast<float *>(tr.dense.data()), {n, pre.denseWidth()}, torch::kFloat32);
    if (t.codeWidth > 0)
        t.codes = torch::from_blob(const_cast<int64_t *>(tr.codes.data()), {n, t.codeWidth}, torch::kInt64);
    const int targetWidth = m_c.task == Task::Forecast ? pre.horizon : 1;
    t.target = torch::from_blob(const_cast<float *>(tr.target.data()), {n, targetWidth}, torch::kFloat32);
    if (t.classify)
        t.targetClass = t.target.view({n}).to(torch::kInt64);
    // Class weights: each row's loss is multiplied by its class's weight.
    if (t.classify && m_c.loop.classWeights != QLatin1String("none")) {
        std::vector<float> w(size_t(classes), 1.0f);
        for (int k = 0; k < classes; ++k) {
            if (m_c.loop.classWeights == QLatin1String("balanced"))
                w[size_t(k)] = data.classCounts[k] > 0 ? float(double(n) / (double(classes) * double(data.classCounts[k]))) : 0.0f;
            else
                w[size_t(k)] = float(m_c.loop.explicitClassWeights[k]);
        }
        t.rowWeight = torch::tensor(w).index_select(0, t.targetClass);
    }
    return t;
}

Result<double> Loop::step(const Tensors &t, const torch::Tensor &idx, qint64 globalRows, int epoch, qint64 totalSteps)
{
    auto x = t.dense.index_select(0, idx);
    auto xc = t.codeWidth > 0 ? t.codes.index_select(0, idx) : torch::Tensor();
    const double lr = learningRate(m_c.optimizer, m_step, epoch, totalSteps);
    for (auto &g : m_opt->param_groups())
        g.options().set_lr(lr);
    m_opt->zero_grad();
    auto z = m_net->forward(x, xc);
    torch::Tensor rowLoss;
    if (t.binary) {
        rowLoss = torch::binary_cross_entropy_with_logits(z.view({-1}), t.target.index_select(0, idx).view({-1}), {}, {},
                                                          torch::Reduction::None);
    } else if (t.classify) {
        rowLoss = torch::nn::functional::cross_entropy(z, t.targetClass.index_select(0, idx),
                                                       torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
    } else {
        rowLoss = (z - t.target.index_select(0, idx)).pow(2).mean(1);
    }
    if (t.rowWeight.defined())
        rowLoss = rowLoss * t.rowWeight.index_select(0, idx);
    // Sum over this rank's rows divided by the global batch: summing over ranks gives exactly the
    // mean loss (and gradient) of the combined batch.
    auto loss = rowLoss.sum() / double(globalRows);
    loss.backward();
    std::vector<torch::Tensor> &params = m_params;
    double lossValue;
    if (m_sync) {
        std::vector<torch::Tensor> flatParts;
        for (auto &p : params) {
            if (!p.grad().defined())
                p.mutable_grad() = torch::zeros_like(p);
            flatParts.push_back(p.grad().view({-1}));
        }
        flatParts.push_back(loss.detach().view({1}));
        auto flat = torch::cat(flatParts);
        ORRERY_TRY(m_sync->allReduceSum(flat));
        int64_t offset = 0;
        for (auto &p : params) {
            const int64_t k = p.numel();
            p.mutable_grad().copy_(flat.slice(0, offset, offset + k).view_as(p));
            offset += k;
        }
        lossValue = flat[offset].item<double>();
    } else {
        lossValue = loss.item<double>();
    }
    if (!std::isfinite(lossValue))
        return Status(ErrorCode::FailedPrecondition,
                      QStringLiteral("the training loss became %1 at step %2 (epoch %3, learning rate %4): the run diverged. "
                                     "Lower optimizer.lr, set optimizer.clip_norm, or check the data for extreme values")
                          .arg(std::isnan(lossValue) ? QStringLiteral("NaN") : QStringLiteral("infinite"))
                          .arg(m_step + 1).arg(epoch + 1).arg(lr));
    if (m_c.optimizer.clipNorm > 0.0)
        torch::nn::utils::clip_grad_norm_(params, m_c.optimizer.clipNorm);
    m_opt->step();
    ++m_step;
    return lossValue;
}

Status Loop::afterStep(int epoch, int batch, int stepsPerEpoch, double loss, qint64 totalSteps)
{
    m_epochLossSum += loss;
    ++m_epochBatches;
    if (m_recorder && m_c.loop.logEvery == LogEvery::Step)
        m_recorder->metric(QStringLiteral("train_loss"), m_step, loss);
    if (m_p.request.onStep)
        m_p.request.onStep(m_step, loss);
    if (m_job)
        m_job->setProgress(m_step, totalSteps, QStringLiteral("epoch %1/%2, loss %3").arg(epoch + 1).arg(m_c.loop.epochs).arg(loss, 0, 'g', 4));
    const bool chief = m_p.request.distributed.rank == 0;
    if (chief && m_c.loop.checkpointEvery > 0 && m_step % m_c.loop.checkpointEvery == 0 && !m_outDir.isEmpty()) {
        const bool endOfEpoch = batch + 1 >= stepsPerEpoch;
        // A checkpoint at an epoch's end resumes at the validation of that epoch: store
        // "next batch = stepsPerEpoch" so the resumed loop runs no batch and validates.
        ORRERY_TRY(saveCheckpoint(epoch, endOfEpoch ? stepsPerEpoch : batch + 1));
    }
    if (m_stepDelayMs > 0)
        QThread::msleep(ulong(m_stepDelayMs));
    return Status::ok();
}

void Loop::endEpoch(int epoch, qint64 totalSteps, TrainOutcome &outcome, bool *stop)
{
    const PreparedData &data = m_p.data;
    if (m_recorder) {
        if (m_c.loop.logEvery != LogEvery::Step && m_epochBatches > 0)
            m_recorder->metric(QStringLiteral("train_loss"), m_step, m_epochLossSum / double(m_epochBatches));
        m_recorder->metric(QStringLiteral("lr"), m_step, learningRate(m_c.optimizer, std::max<qint64>(0, m_step - 1), epoch, totalSteps));
        m_recorder->metric(QStringLiteral("epoch"), m_step, epoch + 1);
    }
    if (data.validation.rows > 0) {
        const Evaluation e = evaluate(*m_net, data, data.validation, QString());
        const double vloss = validationLoss(e, data.pre);
        if (m_recorder) {
            m_recorder->metric(QStringLiteral("val_loss"), m_step, vloss);
            for (auto it = e.overall.begin(); it != e.overall.end(); ++it)
                if (it.key() != QLatin1String("rows") && std::isfinite(it.value()))
                    m_recorder->metric(QStringLiteral("val_") + it.key(), m_step, it.value());
        }
        const QString stopMetric = m_c.loop.earlyStopMetric.mid(4); // without "val_"
        if (!stopMetric.isEmpty()) {
            const bool minimise = metricIsMinimised(stopMetric);
            const double v = stopMetric == QLatin1String("loss") ? vloss : e.overall.value(stopMetric, std::nan(""));
            const bool better = std::isnan(m_best) || (minimise ? v < m_best : v > m_best);
            if (better && std::isfinite(v)) {
                m_best = v;
                m_bestEpoch = epoch + 1;
                m_badEpochs = 0;
                m_bestState.clear();
                for (const auto &t : stateTensors())
                    m_bestState.push_back(t.detach().clone());
            } else if (++m_badEpochs >= m_c.loop.patience) {
                outcome.stoppedEarly = true;
                *stop = true;
            }
        }
        // Only a single process: every rank would have to stop at the same epoch.
        if (m_p.request.onEpoch && m_p.request.distributed.worldSize == 1) {
            QMap<QString, double> validation;
            validation.insert(QStringLiteral("val_loss"), vloss);
            for (auto it = e.overall.begin(); it != e.overall.end(); ++it)
                if (it.key() != QLatin1String("rows"))
                    validation.insert(QStringLiteral("val_") + it.key(), it.value());
            if (!m_p.request.onEpoch(epoch + 1, validation)) {
                outcome.pruned = true;
                *stop = true;
            }
        }
    }
    outcome.epochs = epoch + 1;
}

Result<TrainOutcome> Loop::run()
{
    ORRERY_TRY(setUp());
    const TrainRequest &req = m_p.request;
    const int world = req.distributed.worldSize;
    const int rank = req.distributed.rank;
    const Tensors t = trainingTensors();
    const int n = t.rows;
    const qint64 globalBatch = qint64(m_c.loop.batchSize) * world;
    const int stepsPerEpoch = int((n + globalBatch - 1) / globalBatch);
    qint64 totalSteps = qint64(stepsPerEpoch) * m_c.loop.epochs;
    if (m_c.loop.maxSteps > 0)
        totalSteps = std::min(totalSteps, m_c.loop.maxSteps);

    TrainOutcome outcome;
    double lastLoss = std::nan("");
    bool stop = false;
    for (int epoch = m_startEpoch; epoch < m_c.loop.epochs && !stop; ++epoch) {
        const auto perm = permutation(n, m_c.loop.seed, epoch);
        auto permT = torch::from_blob(const_cast<int64_t *>(perm.data()), {n}, torch::kInt64);
        m_net->train();
        const int firstBatch = epoch == m_startEpoch ? m_startBatch : 0;
        if (epoch != m_startEpoch || m_startBatch == 0) {
            m_epochLossSum = 0.0;
            m_epochBatches = 0;
        }
        for (int b = firstBatch; b < stepsPerEpoch; ++b) {
            if (m_job && m_job->isCancelled())
                return fail(cancelled(QStringLiteral("training cancelled at step %1 (epoch %2)").arg(m_step).arg(epoch + 1)));
            if (m_c.loop.maxSteps > 0 && m_step >= m_c.loop.maxSteps) {
                stop = true;
                break;
            }
            const qint64 start = qint64(b) * globalBatch;
            const qint64 len = std::min<qint64>(globalBatch, n - start);
            if (m_c.model.batchNorm && len < 2 * world && m_c.task != Task::Forecast && m_c.task != Task::Image)
                continue; // batch norm cannot train on one row
            // This rank's share of the global batch.
            const qint64 lo = start + len * rank / world, hi = start + len * (rank + 1) / world;
            auto loss = step(t, permT.slice(0, lo, hi), len, epoch, totalSteps);
            if (!loss)
                return fail(loss.status());
            lastLoss = *loss;
            ORRERY_TRY(fail(afterStep(epoch, b, stepsPerEpoch, *loss, totalSteps)));
        }
        if (m_epochBatches == 0 && stop)
            break;
        endEpoch(epoch, totalSteps, outcome, &stop);
    }
    return finish(std::move(outcome), lastLoss);
}

Result<TrainOutcome> Loop::finish(TrainOutcome outcome, double lastLoss)
{
    const PreparedData &data = m_p.data;
    const Preprocessor &pre = data.pre;
    if (!m_bestState.empty()) {
        torch::NoGradGuard noGrad;
        auto state = stateTensors();
        for (size_t i = 0; i < state.size() && i < m_bestState.size(); ++i)
            state[i].copy_(m_bestState[i]);
    }
    outcome.steps = m_step;
    outcome.bestEpoch = m_bestEpoch;
    outcome.finalTrainLoss = lastLoss;
    outcome.validation = evaluate(*m_net, data, data.validation, m_c.data.slice);
    if (data.test.rows > 0)
        outcome.test = evaluate(*m_net, data, data.test, m_c.data.slice);
    if (m_sync)
        (void)m_sync->barrier();
    if (m_p.request.distributed.rank != 0)
        return outcome;

    if (!m_outDir.isEmpty()) {
        const QString modelDir = m_outDir + QStringLiteral("/model");
        QDir().mkpath(modelDir);
        outcome.modelPath = modelDir + QStringLiteral("/model.pt");
        QJsonObject signature;
        if (auto s = exportTorchScript(*m_net, pre, outcome.modelPath, &signature); !s.isOk())
            return fail(s);
        outcome.signaturePath = modelDir + QStringLiteral("/signature.json");
        ORRERY_TRY(fail(common::writeFileAtomically(outcome.signaturePath, QJsonDocument(signature).toJson())));
        ORRERY_TRY(fail(common::writeFileAtomically(modelDir + QStringLiteral("/preprocessing.json"), QJsonDocument(pre.toJson()).toJson())));
        QJsonObject evaluation{{QStringLiteral("validation"), outcome.validation.toJson()}};
        if (data.test.rows > 0)
            evaluation.insert(QStringLiteral("test"), outcome.test.toJson());
        ORRERY_TRY(fail(common::writeFileAtomically(m_outDir + QStringLiteral("/evaluation.json"), QJsonDocument(evaluation).toJson())));
    }
    if (m_recorder) {
        outcome.runId = m_recorder->runId();
        for (auto it = outcome.test.overall.begin(); it != outcome.test.overall.end(); ++it)
            if (it.key() != QLatin1String("rows") && std::isfinite(it.value()))
                m_recorder->metric(QStringLiteral("test_") + it.key(), m_step, it.value());
        outcome.modelMd5 = fileMd5(outcome.modelPath);
        for (const QString &artifact : {QStringLiteral("model/model.pt"), QStringLiteral("model/signature.json"),
                                        QStringLiteral("model/preprocessing.json"), QStringLiteral("evaluation.json")})
            ORRERY_TRY(fail(m_recorder->logArtifact(artifact, m_outDir + QLatin1Char('/') + artifact)));
        auto model = m_recorder->artifactFile(QStringLiteral("model/model.pt"));
        auto signature = m_recorder->artifactFile(QStringLiteral("model/signature.json"));
        if (!model || !signature)
            return fail(model ? signature.status() : model.status());
        outcome.modelPath = *model;
        outcome.signaturePath = *signature;
        outcome.modelArtifact = m_recorder->artifactUri(QStringLiteral("model/model.pt"));
        (void)m_recorder->setTag(QStringLiteral("orrery.model_artifact"), QStringLiteral("model/model.pt"));
        if (!outcome.modelMd5.isEmpty())
            (void)m_recorder->setTag(QStringLiteral("orrery.model_md5"), outcome.modelMd5);
        if (outcome.stoppedEarly)
            (void)m_recorder->setTag(QStringLiteral("orrery.stopped_early_at_epoch"), QString::number(outcome.epochs));
        if (outcome.pruned)
            (void)m_recorder->setTag(QStringLiteral("orrery.pruned_at_epoch"), QString::number(outcome.epochs));
        ORRERY_TRY(m_recorder->finish(tracking::RunStatus::Finished));
        // Everything in the working folder is logged now (checkpoints as they were written).
        QDir(m_outDir).removeRecursively();
    }
    return outcome;
}

} // namespace

Result<PreparedTrainingPtr> prepareTraining(const TrainRequest &request)
{
    PreparedTrainingPtr p(new PreparedTraining);
    p->request = request;
    const TrainConfig &c = request.config;
    ORRERY_TRY(validateTrainConfig(c));
    const auto &d = request.distributed;
    if (d.worldSize < 1 || d.worldSize > 1024 || d.rank < 0 || d.rank >= d.worldSize)
        return invalidArgument(QStringLiteral("--rank %1 must be between 0 and --world-size - 1 (world size %2)").arg(d.rank).arg(d.worldSize));
    if (d.worldSize > 1 && (d.masterPort < 1 || d.masterPort > 65535 || d.masterHost.isEmpty()))
        return invalidArgument(QStringLiteral("--master must be HOST:PORT with a port between 1 and 65535"));
    if (!c.loop.earlyStopMetric.isEmpty() && !metricNames(c.task).contains(c.loop.earlyStopMetric.mid(4)))
        return invalidArgument(QStringLiteral("training.early_stopping.metric '%1' is not a validation metric of a %2 task (val_ + one of %3)")
                                   .arg(c.loop.earlyStopMetric, QLatin1String(taskName(c.task)), metricNames(c.task).join(QStringLiteral(", "))));
    if (!request.resumeRunId.isEmpty() && !request.jobDir.isEmpty()) {
        // On another node: the submitter looked the checkpoint up (ORRERY_RESUME_CHECKPOINT).
        if (request.resumeFrom.isEmpty())
            return invalidArgument(QStringLiteral("resuming run %1 in a job on another node needs its checkpoint in ORRERY_RESUME_CHECKPOINT "
                                                  "(the node never opens the workspace's database to look it up); `orrery-cli train --slurm "
                                                  "--resume` sets it, or give --resume-from CHECKPOINT")
                                       .arg(request.resumeRunId));
        p->checkpointPath = request.resumeFrom;
    } else if (!request.resumeRunId.isEmpty()) {
        if (request.databasePath.isEmpty())
            return invalidArgument(QStringLiteral("resuming run %1 needs the workspace it ran in").arg(request.resumeRunId));
        ORRERY_ASSIGN_OR_RETURN(auto path, RunRecorder::latestCheckpoint(request, request.resumeRunId));
        p->checkpointPath = path;
    } else if (!request.resumeFrom.isEmpty()) {
        p->checkpointPath = request.resumeFrom;
    }
    ORRERY_ASSIGN_OR_RETURN(auto data, prepareData(c));
    p->data = std::move(data);
    p->fingerprint = fingerprintOf(c, p->data.pre);
    if (!c.data.path.isEmpty())
        p->dataMd5 = fileMd5(c.data.path);
    if (!p->checkpointPath.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(auto meta, readCheckpointMeta(p->checkpointPath));
        if (meta.json.value(QStringLiteral("fingerprint")).toString() != p->fingerprint)
            return invalidArgument(QStringLiteral("the checkpoint '%1' belongs to another model or data set (its fingerprint differs): "
                                                  "resume with the config and data it was trained with, or start afresh")
                                       .arg(p->checkpointPath));
        if (meta.json.value(QStringLiteral("world_size")).toInt(1) != d.worldSize)
            return invalidArgument(
                QStringLiteral("the checkpoint '%1' was written by a run of %2 processes; resume it with --world-size %2")
                    .arg(p->checkpointPath)
                    .arg(meta.json.value(QStringLiteral("world_size")).toInt(1)));
    }
    if (request.databasePath.isEmpty() && request.jobDir.isEmpty() && request.outputDir.isEmpty() && d.rank == 0)
        return invalidArgument(QStringLiteral("nowhere to put the model: give a workspace (tracking) or an output folder"));
    return p;
}

Result<TrainOutcome> runTraining(PreparedTraining &prepared, common::JobContext *job)
{
    Loop loop(prepared, job);
    return loop.execute();
}

Result<TrainOutcome> train(const TrainRequest &request, common::JobContext *job)
{
    ORRERY_ASSIGN_OR_RETURN(auto p, prepareTraining(request));
    return runTraining(*p, job);
}

} // namespace orrery::train
