#include "core/train/torch_models.h"

#include "core/common/atomic_file.h"
#include "core/train/script_model.h"

#include <torch/csrc/jit/frontend/resolver.h>
#include <torch/csrc/jit/frontend/sugared_value.h>
#include <torch/csrc/jit/runtime/jit_exception.h>
#include <torch/script.h>

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <sstream>

namespace orrery::train {

namespace {

torch::Tensor activate(const torch::Tensor &x, Activation a)
{
    switch (a) {
    case Activation::Relu: return torch::relu(x);
    case Activation::Tanh: return torch::tanh(x);
    case Activation::Gelu: return torch::gelu(x);
    case Activation::Sigmoid: return torch::sigmoid(x);
    case Activation::LeakyRelu: return torch::leaky_relu(x, 0.01);
    }
    return x;
}

std::string activationScript(Activation a, const std::string &v)
{
    switch (a) {
    case Activation::Relu: return "torch.relu(" + v + ")";
    case Activation::Tanh: return "torch.tanh(" + v + ")";
    case Activation::Gelu: return "torch.gelu(" + v + ")";
    case Activation::Sigmoid: return "torch.sigmoid(" + v + ")";
    case Activation::LeakyRelu: return "torch.leaky_relu(" + v + ", 0.01)";
    }
    return v;
}

void addBuffer(torch::jit::Module &m, const std::string &name, const torch::Tensor &t)
{
    m.register_buffer(name, t.detach().clone().contiguous());
}

// Tabular MLP: [dense ‖ embeddings] → (Linear → BatchNorm → activation → Dropout)* → Linear.
class MlpNet : public ModelNetImpl {
public:
    MlpNet(const ModelConfig &c, const Preprocessor &pre) : m_activation(c.activation), m_dropout(c.dropout)
    {
        int in = pre.denseWidth();
        if (pre.encoding == Encoding::Embedding)
            for (int i = 0; i < pre.categorical.size(); ++i) {
                const int rows = int(pre.categorical[i].categories.size()) + 1; // + unseen
                m_embeddings.push_back(register_module("emb" + std::to_string(i), torch::nn::Embedding(rows, c.embeddingDim)));
                in += c.embeddingDim;
            }
        for (int i = 0; i < c.hidden.size(); ++i) {
            m_layers.push_back(register_module("fc" + std::to_string(i), torch::nn::Linear(in, c.hidden[i])));
            if (c.batchNorm)
                m_norms.push_back(register_module("bn" + std::to_string(i), torch::nn::BatchNorm1d(c.hidden[i])));
            in = c.hidden[i];
        }
        m_out = register_module("out", torch::nn::Linear(in, pre.outputs()));
    }

    torch::Tensor forward(const torch::Tensor &dense, const torch::Tensor &codes) override
    {
        torch::Tensor h = dense;
        if (!m_embeddings.empty()) {
            std::vector<torch::Tensor> parts{h};
            for (size_t i = 0; i < m_embeddings.size(); ++i)
                parts.push_back(m_embeddings[i]->forward(codes.select(1, long(i))));
            h = torch::cat(parts, 1);
        }
        for (size_t i = 0; i < m_layers.size(); ++i) {
            h = m_layers[i]->forward(h);
            if (!m_norms.empty())
                h = m_norms[i]->forward(h);
            h = activate(h, m_activation);
            if (m_dropout > 0.0)
                h = torch::dropout(h, m_dropout, is_training());
        }
        return m_out->forward(h);
    }

    std::string exportNetwork(torch::jit::Module &m) const override
    {
        std::ostringstream s;
        s << "    def network(self, x: Tensor, codes: Tensor) -> Tensor:\n        h = x\n";
        if (!m_embeddings.empty()) {
            s << "        h = torch.cat([h";
            for (size_t i = 0; i < m_embeddings.size(); ++i) {
                addBuffer(m, "emb" + std::to_string(i), m_embeddings[i]->weight);
                s << ", torch.embedding(self.emb" << i << ", codes[:, " << i << "])";
            }
            s << "], 1)\n";
        }
        for (size_t i = 0; i < m_layers.size(); ++i) {
            const std::string n = std::to_string(i);
            addBuffer(m, "fc" + n + "_w", m_layers[i]->weight);
            addBuffer(m, "fc" + n + "_b", m_layers[i]->bias);
            s << "        h = torch.linear(h, self.fc" << n << "_w, self.fc" << n << "_b)\n";
            if (!m_norms.empty()) {
                const auto &bn = m_norms[i];
                addBuffer(m, "bn" + n + "_w", bn->weight);
                addBuffer(m, "bn" + n + "_b", bn->bias);
                addBuffer(m, "bn" + n + "_mean", bn->running_mean);
                addBuffer(m, "bn" + n + "_var", bn->running_var);
                s << "        h = torch.batch_norm(h, self.bn" << n << "_w, self.bn" << n << "_b, self.bn" << n << "_mean, self.bn" << n
                  << "_var, False, 0.0, " << bn->options.eps() << ", False)\n";
            }
            s << "        h = " << activationScript(m_activation, "h") << "\n";
        }
        addBuffer(m, "out_w", m_out->weight);
        addBuffer(m, "out_b", m_out->bias);
        s << "        return torch.linear(h, self.out_w, self.out_b)\n";
        return s.str();
    }

private:
    Activation m_activation;
    double m_dropout;
    std::vector<torch::nn::Embedding> m_embeddings;
    std::vector<torch::nn::Linear> m_layers;
    std::vector<torch::nn::BatchNorm1d> m_norms;
    torch::nn::Linear m_out{nullptr};
};

// Forecast: GRU or LSTM over the lag window (one value per time step), last state → horizon.
class RecurrentNet : public ModelNetImpl {
public:
    RecurrentNet(const ModelConfig &c, const Preprocessor &pre) : m_cell(c.cell), m_layers(c.recurrentLayers), m_hidden(c.recurrentHidden)
    {
        if (m_cell == Cell::Gru)
            m_gru = register_module("gru", torch::nn::GRU(torch::nn::GRUOptions(1, c.recurrentHidden).num_layers(c.recurrentLayers).batch_first(true)));
        else
            m_lstm = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(1, c.recurrentHidden).num_layers(c.recurrentLayers).batch_first(true)));
        m_head = register_module("head", torch::nn::Linear(c.recurrentHidden, pre.outputs()));
    }

    torch::Tensor forward(const torch::Tensor &dense, const torch::Tensor &) override
    {
        const auto x = dense.unsqueeze(2);
        torch::Tensor out = m_cell == Cell::Gru ? std::get<0>(m_gru->forward(x)) : std::get<0>(m_lstm->forward(x));
        return m_head->forward(out.select(1, out.size(1) - 1));
    }

    std::string exportNetwork(torch::jit::Module &m) const override
    {
        const auto weights = m_cell == Cell::Gru ? m_gru->all_weights() : m_lstm->all_weights();
        std::ostringstream list;
        for (size_t i = 0; i < weights.size(); ++i) {
            addBuffer(m, "rnn" + std::to_string(i), weights[i]);
            list << (i ? ", " : "") << "self.rnn" << i;
        }
        addBuffer(m, "head_w", m_head->weight);
        addBuffer(m, "head_b", m_head->bias);
        std::ostringstream s;
        s << "    def network(self, x: Tensor, codes: Tensor) -> Tensor:\n"
          << "        seq = x.unsqueeze(2)\n"
          << "        h0 = torch.zeros([" << m_layers << ", x.size(0), " << m_hidden << "], dtype=x.dtype)\n";
        if (m_cell == Cell::Gru)
            s << "        out, hn = torch.gru(seq, h0, [" << list.str() << "], True, " << m_layers << ", 0.0, False, False, True)\n";
        else
            s << "        out, hn, cn = torch.lstm(seq, [h0, h0], [" << list.str() << "], True, " << m_layers << ", 0.0, False, False, True)\n";
        s << "        last = out.select(1, out.size(1) - 1)\n"
          << "        return torch.linear(last, self.head_w, self.head_b)\n";
        return s.str();
    }

private:
    Cell m_cell;
    int m_layers, m_hidden;
    torch::nn::GRU m_gru{nullptr};
    torch::nn::LSTM m_lstm{nullptr};
    torch::nn::Linear m_head{nullptr};
};

// Image: (Conv 3×3 → ReLU → MaxPool 2)* → Linear.
class ConvNet : public ModelNetImpl {
public:
    ConvNet(const ModelConfig &c, const Preprocessor &pre) : m_height(pre.imageHeight), m_width(pre.imageWidth)
    {
        int in = 1, h = m_height, w = m_width;
        for (int i = 0; i < c.channels.size(); ++i) {
            m_convs.push_back(register_module("conv" + std::to_string(i),
                                              torch::nn::Conv2d(torch::nn::Conv2dOptions(in, c.channels[i], 3).padding(1))));
            const bool pool = h >= 2 && w >= 2;
            m_pool.push_back(pool);
            if (pool) { h /= 2; w /= 2; }
            in = c.channels[i];
        }
        m_head = register_module("head", torch::nn::Linear(in * h * w, pre.outputs()));
    }

    torch::Tensor forward(const torch::Tensor &dense, const torch::Tensor &) override
    {
        auto x = dense.view({-1, 1, m_height, m_width});
        for (size_t i = 0; i < m_convs.size(); ++i) {
            x = torch::relu(m_convs[i]->forward(x));
            if (m_pool[i])
                x = torch::max_pool2d(x, 2);
        }
        return m_head->forward(x.flatten(1));
    }

    std::string exportNetwork(torch::jit::Module &m) const override
    {
        std::ostringstream s;
        s << "    def network(self, x: Tensor, codes: Tensor) -> Tensor:\n"
          << "        h = x.view([-1, 1, " << m_height << ", " << m_width << "])\n";
        for (size_t i = 0; i < m_convs.size(); ++i) {
            const std::string n = std::to_string(i);
            addBuffer(m, "conv" + n + "_w", m_convs[i]->weight);
            addBuffer(m, "conv" + n + "_b", m_convs[i]->bias);
            s << "        h = torch.relu(torch.conv2d(h, self.conv" << n << "_w, self.conv" << n << "_b, [1, 1], [1, 1], [1, 1], 1))\n";
            if (m_pool[i])
                s << "        h = torch.max_pool2d(h, [2, 2], [2, 2], [0, 0], [1, 1], False)\n";
        }
        addBuffer(m, "head_w", m_head->weight);
        addBuffer(m, "head_b", m_head->bias);
        s << "        return torch.linear(h.flatten(1), self.head_w, self.head_b)\n";
        return s.str();
    }

private:
    int m_height, m_width;
    std::vector<torch::nn::Conv2d> m_convs;
    std::vector<bool> m_pool;
    torch::nn::Linear m_head{nullptr};
};

// What the generated source may name: torch's operators (LibTorch's native resolver) and
// `Exception`, for `raise` — which C++'s script compiler, unlike Python's, does not know by itself.
struct ExportResolver : torch::jit::Resolver {
    std::shared_ptr<torch::jit::SugaredValue> resolveValue(const std::string &name, torch::jit::GraphFunction &m,
                                                           const torch::jit::SourceRange &loc) override
    {
        if (name == "Exception")
            return std::make_shared<torch::jit::ExceptionValue>("Exception");
        return m_native.resolveValue(name, m, loc);
    }
    c10::TypePtr resolveType(const std::string &name, const torch::jit::SourceRange &loc) override { return m_native.resolveType(name, loc); }

private:
    torch::jit::NativeResolver m_native;
};

// The message a TorchScript `raise` carried, without the interpreter's traceback: the original
// message where LibTorch kept it, else the last non-empty line of what() with the exception's
// class name ("builtins.Exception: ") taken off.
QString raisedMessage(const torch::jit::JITException &e)
{
    QString text = e.getOriginalMsg() ? QString::fromStdString(*e.getOriginalMsg()) : QString();
    if (text.trimmed().isEmpty()) {
        const QStringList lines = QString::fromUtf8(e.what()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        text = lines.isEmpty() ? QString() : lines.last();
    }
    text = text.trimmed();
    for (const QString &prefix : {QStringLiteral("builtins.Exception: "), QStringLiteral("Exception: "), QStringLiteral("RuntimeError: ")})
        if (text.startsWith(prefix))
            text = text.mid(prefix.size());
    return text;
}

torch::Tensor toTensor(const std::vector<double> &v)
{
    return torch::tensor(std::vector<double>(v), torch::kFloat64).to(torch::kFloat32);
}

} // namespace

std::shared_ptr<ModelNetImpl> buildModel(const TrainConfig &config, const Preprocessor &pre)
{
    switch (config.task) {
    case Task::Classification:
    case Task::Regression: return std::make_shared<MlpNet>(config.model, pre);
    case Task::Forecast: return std::make_shared<RecurrentNet>(config.model, pre);
    case Task::Image: return std::make_shared<ConvNet>(config.model, pre);
    }
    return nullptr;
}

std::vector<double> predictSplit(ModelNetImpl &net, const Preprocessor &pre, const Split &split, int *columns)
{
    torch::NoGradGuard noGrad;
    const bool wasTraining = net.is_training();
    net.eval();
    const int width = pre.denseWidth(), cw = pre.codeWidth();
    const bool classify = pre.task == Task::Classification || pre.task == Task::Image;
    const int cols = classify ? int(pre.classes.size()) : pre.outputs();
    std::vector<double> out(size_t(split.rows) * size_t(cols));
    const int chunk = 8192;
    for (int start = 0; start < split.rows; start += chunk) {
        const int n = std::min(chunk, split.rows - start);
        auto dense = torch::from_blob(const_cast<float *>(split.dense.data()) + size_t(start) * size_t(width), {n, width}, torch::kFloat32);
        torch::Tensor codes;
        if (cw > 0)
            codes = torch::from_blob(const_cast<int64_t *>(split.codes.data()) + size_t(start) * size_t(cw), {n, cw}, torch::kInt64);
        auto z = net.forward(dense, codes);
        torch::Tensor y;
        if (classify && cols == 2) {
            auto p = torch::sigmoid(z);
            y = torch::cat({1 - p, p}, 1);
        } else if (classify) {
            y = torch::softmax(z, 1);
        } else {
            y = z * pre.targetScale + pre.targetMean;
        }
        y = y.to(torch::kFloat64).contiguous();
        std::memcpy(out.data() + size_t(start) * size_t(cols), y.data_ptr<double>(), size_t(n) * size_t(cols) * sizeof(double));
    }
    if (wasTraining)
        net.train();
    *columns = cols;
    return out;
}

Status exportTorchScript(const ModelNetImpl &net, const Preprocessor &pre, const QString &path, QJsonObject *signatureOut)
{
    try {
        torch::jit::Module m("OrreryModel");
        std::ostringstream src;
        QJsonArray inputs, outputs;
        const bool classify = pre.task == Task::Classification || pre.task == Task::Image;
        const int ncat = int(pre.categorical.size());
        if (pre.task == Task::Classification || pre.task == Task::Regression) {
            std::vector<double> fill, mean, scale;
            QStringList numericNames, catNames;
            for (const auto &n : pre.numeric) {
                fill.push_back(n.fill);
                mean.push_back(n.mean);
                scale.push_back(n.scale);
                numericNames << n.name;
            }
            addBuffer(m, "pre_fill", toTensor(fill));
            addBuffer(m, "pre_mean", toTensor(mean));
            addBuffer(m, "pre_scale", toTensor(scale));
            c10::List<c10::Dict<std::string, int64_t>> vocab;
            c10::List<int64_t> unknown;
            for (const auto &c : pre.categorical) {
                c10::Dict<std::string, int64_t> d;
                for (int i = 0; i < c.categories.size(); ++i)
                    d.insert(c.categories[i].toStdString(), i);
                vocab.push_back(d);
                unknown.push_back(c.categories.size());
                catNames << c.name;
            }
            m.register_attribute("vocab", c10::ListType::create(c10::DictType::create(c10::StringType::get(), c10::IntType::get())), vocab);
            m.register_attribute("unknown", c10::ListType::ofInts(), unknown);
            const bool strict = pre.unseen == UnseenPolicy::Error;
            if (strict) {
                c10::List<std::string> columns;
                for (const auto &c : pre.categorical)
                    columns.push_back(c.name.toStdString());
                m.register_attribute("categorical_columns", c10::ListType::ofStrings(), columns);
            }
            // The C++ script compiler has no torch.float32 / torch.long names: dtypes are written
            // as their ScalarType numbers (6 = float32, 4 = int64).
            src << "def preprocess(self, numeric: Tensor, categorical: List[List[str]]) -> Tuple[Tensor, Tensor]:\n"
                << "    n = numeric.size(0)\n"
                << "    x = numeric.to(6)\n"
                << "    x = torch.where(torch.isnan(x), self.pre_fill, x)\n"
                << "    x = (x - self.pre_mean) / self.pre_scale\n"
                << "    flat: List[int] = []\n"
                << "    for i in range(len(categorical)):\n"
                << "        row = categorical[i]\n"
                << "        for j in range(" << ncat << "):\n";
            if (strict) {
                // data.unseen: error. The message names the value, the column and the row of
                // this call; the serving runtime (ScriptModel::predict) passes it on as the reason
                // the input was refused. The vocabularies hold only non-negative codes.
                src << "            code = self.vocab[j].get(row[j], -1)\n"
                    << "            if code < 0:\n"
                    << "                raise Exception(\"unseen category '\" + row[j] + \"' in column '\" + self.categorical_columns[j] + \"' (row \" + str(i + 1)"
                       " + \" of \" + str(len(categorical)) + \"): the model was trained with data.unseen: error and knows only the \" + str(self.unknown[j])"
                       " + \" values of its training data; retrain on data that has it, or with data.unseen: other\")\n"
                    << "            flat.append(code)\n";
            } else {
                src << "            flat.append(self.vocab[j].get(row[j], self.unknown[j]))\n";
            }
            src << "    codes = torch.tensor(flat, dtype=4).view([n, " << ncat << "])\n";
            if (pre.encoding == Encoding::OneHot && ncat > 0) {
                src << "    parts = [x]\n"
                    << "    for j in range(" << ncat << "):\n"
                    << "        k = self.unknown[j]\n"
                    << "        parts.append(torch.one_hot(codes.select(1, j), k + 1).narrow(1, 0, k).to(6))\n"
                    << "    x = torch.cat(parts, 1)\n";
            }
            src << "    return x, codes\n\n";
            src << "def forward(self, numeric: Tensor, categorical: List[List[str]]) -> Tensor:\n"
                << "    x, codes = self.preprocess(numeric, categorical)\n"
                << "    return self.postprocess(self.network(x, codes))\n\n";
            inputs.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("numeric")}, {QStringLiteral("dtype"), QStringLiteral("FP32")},
                                      {QStringLiteral("shape"), QJsonArray{-1, int(pre.numeric.size())}},
                                      {QStringLiteral("columns"), QJsonArray::fromStringList(numericNames)},
                                      {QStringLiteral("missing"), QStringLiteral("NaN")}});
            // "unseen" says what the model does with a value outside its vocabulary (models show
            // prints it); a model that refuses such values also names one value per column it
            // takes ("sample"), which the server's warm-up sends instead of empty strings.
            QJsonObject categorical{{QStringLiteral("name"), QStringLiteral("categorical")}, {QStringLiteral("dtype"), QStringLiteral("BYTES")},
                                    {QStringLiteral("shape"), QJsonArray{-1, ncat}},
                                    {QStringLiteral("columns"), QJsonArray::fromStringList(catNames)},
                                    {QStringLiteral("unseen"), QLatin1String(unseenPolicyName(pre.unseen))}};
            if (strict) {
                QJsonArray sample;
                for (const auto &c : pre.categorical)
                    sample.append(c.categories.value(0));
                categorical.insert(QStringLiteral("sample"), sample);
            }
            inputs.append(categorical);
        } else if (pre.task == Task::Forecast) {
            addBuffer(m, "pre_mean", torch::tensor(pre.targetMean, torch::kFloat32));
            addBuffer(m, "pre_scale", torch::tensor(pre.targetScale, torch::kFloat32));
            src << "def forward(self, history: Tensor) -> Tensor:\n"
                << "    x = (history.to(6) - self.pre_mean) / self.pre_scale\n"
                << "    return self.postprocess(self.network(x, x))\n\n";
            inputs.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("history")}, {QStringLiteral("dtype"), QStringLiteral("FP32")},
                                      {QStringLiteral("shape"), QJsonArray{-1, pre.lags}}});
        } else {
            addBuffer(m, "pre_mean", torch::tensor(pre.pixelMean, torch::kFloat32));
            addBuffer(m, "pre_scale", torch::tensor(pre.pixelScale, torch::kFloat32));
            src << "def forward(self, pixels: Tensor) -> Tensor:\n"
                << "    x = (pixels.to(6) - self.pre_mean) / self.pre_scale\n"
                << "    return self.postprocess(self.network(x.reshape([-1, " << pre.imageHeight * pre.imageWidth << "]), x))\n\n";
            inputs.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("pixels")}, {QStringLiteral("dtype"), QStringLiteral("FP32")},
                                      {QStringLiteral("shape"), QJsonArray{-1, pre.imageHeight * pre.imageWidth}}});
        }
        if (classify && pre.classes.size() == 2)
            src << "def postprocess(self, z: Tensor) -> Tensor:\n    p = torch.sigmoid(z)\n    return torch.cat([1.0 - p, p], 1)\n\n";
        else if (classify)
            src << "def postprocess(self, z: Tensor) -> Tensor:\n    return torch.softmax(z, 1)\n\n";
        else {
            addBuffer(m, "target_mean", torch::tensor(pre.targetMean, torch::kFloat32));
            addBuffer(m, "target_scale", torch::tensor(pre.targetScale, torch::kFloat32));
            src << "def postprocess(self, z: Tensor) -> Tensor:\n    return z * self.target_scale + self.target_mean\n\n";
        }
        // (Image and forecast inputs are converted with .to(6) = float32 as well.)
        // The network's source is indented for a class body; dedent it to module level.
        std::string network = net.exportNetwork(m);
        std::string dedented;
        std::istringstream lines(network);
        for (std::string line; std::getline(lines, line);)
            dedented += (line.rfind("    ", 0) == 0 ? line.substr(4) : line) + "\n";
        src << dedented;
        m.define(src.str(), std::make_shared<ExportResolver>());

        if (classify)
            outputs.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("probabilities")}, {QStringLiteral("dtype"), QStringLiteral("FP32")},
                                       {QStringLiteral("shape"), QJsonArray{-1, int(pre.classes.size())}},
                                       {QStringLiteral("classes"), QJsonArray::fromStringList(pre.classes)}});
        else
            outputs.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("prediction")}, {QStringLiteral("dtype"), QStringLiteral("FP32")},
                                       {QStringLiteral("shape"), QJsonArray{-1, pre.outputs()}}});
        const QJsonObject signature{{QStringLiteral("format"), QStringLiteral("orrery-torchscript-1")},
                                    {QStringLiteral("task"), QLatin1String(taskName(pre.task))},
                                    {QStringLiteral("inputs"), inputs},
                                    {QStringLiteral("outputs"), outputs}};
        torch::jit::ExtraFilesMap extra{
            {"signature.json", QJsonDocument(signature).toJson().toStdString()},
            {"preprocessing.json", QJsonDocument(pre.toJson()).toJson().toStdString()},
        };
        std::ostringstream bytes;
        m.save(bytes, extra);
        const std::string b = bytes.str();
        ORRERY_TRY(common::writeFileAtomically(path, QByteArray(b.data(), qsizetype(b.size()))));
        if (signatureOut)
            *signatureOut = signature;
        return Status::ok();
    } catch (const c10::Error &e) {
        return internalError(QStringLiteral("exporting TorchScript failed: %1").arg(QString::fromStdString(e.what_without_backtrace())));
    } catch (const std::exception &e) {
        return internalError(QStringLiteral("exporting TorchScript failed: %1").arg(QString::fromUtf8(e.what())));
    }
}

// ---- ScriptModel ----------------------------------------------------------------------------

struct ScriptModel::Impl {
    torch::jit::Module module;
};

ScriptModel::ScriptModel() : d(std::make_unique<Impl>()) {}
ScriptModel::~ScriptModel() = default;

Result<std::unique_ptr<ScriptModel>> ScriptModel::load(const QString &path)
{
    if (!QFileInfo(path).isFile())
        return notFound(QStringLiteral("no model file '%1'").arg(path));
    std::unique_ptr<ScriptModel> model(new ScriptModel);
    torch::jit::ExtraFilesMap extra{{"signature.json", ""}};
    try {
        model->d->module = torch::jit::load(QFile::encodeName(path).toStdString(), c10::nullopt, extra);
        model->d->module.eval();
    } catch (const c10::Error &e) {
        return invalidArgument(QStringLiteral("'%1' is not a TorchScript model LibTorch can load: %2")
                                   .arg(path, QString::fromStdString(e.what_without_backtrace()).section(QLatin1Char('\n'), 0, 0)));
    } catch (const std::exception &e) {
        return invalidArgument(QStringLiteral("'%1' is not a TorchScript model: %2").arg(path, QString::fromUtf8(e.what())));
    }
    QByteArray sig = QByteArray::fromStdString(extra["signature.json"]);
    if (sig.isEmpty()) {
        for (const QString &candidate : {path + QStringLiteral(".signature.json"), QFileInfo(path).absolutePath() + QStringLiteral("/signature.json")}) {
            QFile f(candidate);
            if (f.open(QIODevice::ReadOnly)) {
                sig = f.readAll();
                break;
            }
        }
    }
    if (sig.isEmpty())
        return invalidArgument(QStringLiteral("'%1' has no signature: save signature.json in the archive (_extra_files) or beside the file").arg(path));
    QJsonParseError err;
    const auto doc = QJsonDocument::fromJson(sig, &err);
    if (!doc.isObject() || !doc.object().value(QStringLiteral("inputs")).isArray())
        return invalidArgument(QStringLiteral("the signature of '%1' is not a JSON object with 'inputs'").arg(path));
    model->m_signature = doc.object();
    return model;
}

Result<ModelOutput> ScriptModel::predict(const std::vector<ModelInput> &inputs, int rows) const
{
    const QJsonArray spec = m_signature.value(QStringLiteral("inputs")).toArray();
    if (int(inputs.size()) != spec.size())
        return invalidArgument(QStringLiteral("the model takes %1 inputs, %2 given").arg(spec.size()).arg(inputs.size()));
    std::vector<c10::IValue> args;
    for (int i = 0; i < spec.size(); ++i) {
        const auto o = spec[i].toObject();
        const QJsonArray shape = o.value(QStringLiteral("shape")).toArray();
        const int width = shape.size() > 1 ? shape[1].toInt() : 1;
        if (o.value(QStringLiteral("dtype")).toString() == QLatin1String("BYTES")) {
            c10::List<c10::List<std::string>> rowsList;
            if (int(inputs[size_t(i)].texts.size()) != rows && width > 0)
                return invalidArgument(QStringLiteral("input '%1' needs %2 rows").arg(o.value(QStringLiteral("name")).toString()).arg(rows));
            for (const auto &r : inputs[size_t(i)].texts) {
                if (r.size() != width)
                    return invalidArgument(QStringLiteral("input '%1' needs %2 values per row").arg(o.value(QStringLiteral("name")).toString()).arg(width));
                c10::List<std::string> l;
                for (const auto &s : r)
                    l.push_back(s.toStdString());
                rowsList.push_back(l);
            }
            args.emplace_back(rowsList);
        } else {
            const auto &v = inputs[size_t(i)].values;
            if (qint64(v.size()) != qint64(rows) * width)
                return invalidArgument(QStringLiteral("input '%1' needs %2 × %3 values, %4 given")
                                           .arg(o.value(QStringLiteral("name")).toString()).arg(rows).arg(width).arg(v.size()));
            args.emplace_back(torch::from_blob(const_cast<float *>(v.data()), {rows, width}, torch::kFloat32).clone());
        }
    }
    try {
        torch::NoGradGuard noGrad;
        auto out = d->module.forward(args).toTensor().to(torch::kFloat64).contiguous();
        if (out.dim() == 1)
            out = out.unsqueeze(1);
        ModelOutput r;
        r.rows = int(out.size(0));
        r.columns = int(out.size(1));
        r.values.assign(out.data_ptr<double>(), out.data_ptr<double>() + out.numel());
        return r;
    } catch (const torch::jit::JITException &e) {
        // A `raise` in the model's TorchScript (data.unseen: error; any Python model's own
        // checks): the interpreter prefixes the model's message with its traceback, and the
        // message is what the caller needs — the last line, "builtins.Exception: …".
        return invalidArgument(QStringLiteral("the model refused the input: %1").arg(raisedMessage(e)));
    } catch (const c10::Error &e) {
        return invalidArgument(QStringLiteral("the model refused the input: %1").arg(QString::fromStdString(e.what_without_backtrace()).section(QLatin1Char('\n'), 0, 1)));
    } catch (const std::exception &e) {
        return invalidArgument(QStringLiteral("the model refused the input: %1").arg(QString::fromUtf8(e.what())));
    }
}

} // namespace orrery::train
