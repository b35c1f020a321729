#pragma once

#include <QMainWindow>

class QLabel;

// The main window: for now a summary of the opened checkpoint.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    bool openFile(const QString& path);

private:
    QLabel* summary_;
};
