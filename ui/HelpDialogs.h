#pragma once

class QWidget;
class QDialog;

// Help ▸ Quick guide: what each tab does, what the plot marks mean, the formats and what "safe"
// means here (resources/help/quick-guide.html). Non-modal; one per parent, raised if open.
QDialog* showQuickGuide(QWidget* parent);

// Help ▸ About: the version and the libraries used (the same list as `--version`).
void showAbout(QWidget* parent);
