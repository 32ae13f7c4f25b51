#pragma once
// Training data as the trainers see it: a CSV (or a built-in image set) read whole, checked,
// split, and turned into dense float matrices by a Preprocessor that was fitted on the training
// split only — so the validation and test figures are honest, and the same transform (saved with
// the model, and compiled into its TorchScript export) is what serving applies.
//
// Every problem with the data is found here, before any trainer thread starts: a non-numeric
// value in a numeric column (named with file:line), an empty file, a missing label or feature
// column, a label with a single class, too few rows for a forecast window. Torch-free.

#include "core/common/status.h"
#include "core/train/trainer_config.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <cstdint>
#include <vector>

namespace orrery::train {

struct NumericFeature {
    QString name;
    double fill = 0.0;  // what a missing value becomes (training mean, or 0)
    double mean = 0.0;  // standardisation, fitted on the training split
    double scale = 1.0; // standard deviation (1 when constant)
};

struct CategoricalFeature {
    QString name;
    QStringList categories; // index = code; an unseen value is code categories.size() (the
                            // "other" code) — or refused by the export with data.unseen: error,
                            // whose vocabulary is every value of the file, not only the training
                            // split's (prepareTabular says why)
};

// The fitted transform. Serialised as JSON beside the model and inside its export.
struct Preprocessor {
    Task task = Task::Classification;
    Encoding encoding = Encoding::OneHot;
    int embeddingDim = 4;
    UnseenPolicy unseen = UnseenPolicy::Other; // what the export does with a value outside a vocabulary
    QVector<NumericFeature> numeric;
    QVector<CategoricalFeature> categorical;
    QStringList classes;      // classification: index → label text
    double targetMean = 0.0;  // regression / forecast: the model predicts (y - mean) / scale
    double targetScale = 1.0;
    int lags = 0, horizon = 0;          // forecast
    int imageHeight = 0, imageWidth = 0; // image
    double pixelMean = 0.0, pixelScale = 1.0;

    // Columns of the dense matrix: numeric features, then one-hot blocks (one-hot encoding).
    int denseWidth() const;
    int codeWidth() const { return encoding == Encoding::Embedding ? int(categorical.size()) : 0; }
    int outputs() const;

    QJsonObject toJson() const;
    static Result<Preprocessor> fromJson(const QJsonObject &json);
};

// One split, transformed. Row-major.
struct Split {
    int rows = 0;
    std::vector<float> dense;     // rows × denseWidth (forecast: rows × lags; image: rows × H·W)
    std::vector<int64_t> codes;   // rows × codeWidth (embedding encoding only)
    std::vector<float> target;    // classification: class index; regression: standardised y;
                                  // forecast: rows × horizon, standardised
    QStringList slices;           // the slice column's raw value per row (empty without a slice)
    std::vector<int> sourceRows;  // tabular and image: each row's index among the file's data rows;
                                  // forecast: the index of each window's first target value
};

struct PreparedData {
    Preprocessor pre;
    Split train, validation, test;
    QVector<qint64> classCounts; // classification: training rows per class
};

// Loads and checks the data the config names, splits it (seeded shuffle; chronological for
// forecasts) and fits the preprocessor on the training split.
Result<PreparedData> prepareData(const TrainConfig &config);

} // namespace orrery::train
