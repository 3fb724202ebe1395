;;; grove-test-helpers.el --- Helpers for grove's ERT tests -*- lexical-binding: t -*-

;;; Commentary:

;; Every live test runs against the real thing: the module, a broker and
;; nodes started by `grove-start' (on a port the broker picks, with short
;; heartbeats), and a real buffer in `grove-mode'.  Waiting is done with
;; `accept-process-output' loops (the only way timers and process filters
;; run in --batch), never with fixed sleeps that hope things are done.

;;; Code:

(require 'ert)
(require 'cl-lib)

;; GROVE_TEST_BUILD: test another build directory (module, broker, grove).
(defvar grove-build-directory)
(when (getenv "GROVE_TEST_BUILD")
  (setq grove-build-directory (getenv "GROVE_TEST_BUILD")))

;; The newer of grove.el and grove.elc: never a stale compiled file.
(let ((load-prefer-newer t))
  (require 'grove))

(defvar grove-test-timeout 15
  "Seconds a test waits for something before failing.")

(defvar grove-test-messages nil
  "Every message seen during the current test, newest first.")

(defun grove-test--record (msg)
  "Remember MSG (on `grove-message-functions')."
  (push msg grove-test-messages))

(defun grove-test-wait (pred &optional timeout)
  "Run timers and filters until PRED returns non-nil; return its value.
Fail the test after TIMEOUT seconds (default `grove-test-timeout')."
  (let ((deadline (+ (float-time) (or timeout grove-test-timeout)))
        (v nil))
    (while (and (not (setq v (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.01))
    (or v (ert-fail (list "timed out waiting" pred)))))

(defun grove-test-pause (seconds)
  "Let timers and filters run for SECONDS (to show that nothing happens)."
  (let ((deadline (+ (float-time) seconds)))
    (while (< (float-time) deadline)
      (accept-process-output nil 0.01))))

(defun grove-test-values (query)
  "The value messages seen for QUERY, newest first."
  (cl-remove-if-not (lambda (m) (and (equal (alist-get 'type m) "value")
                                     (equal (alist-get 'query m) query)))
                    grove-test-messages))

(defun grove-test-has (regexp &optional buffer)
  "Non-nil when BUFFER (default current) contains REGEXP."
  (with-current-buffer (or buffer (current-buffer))
    (save-excursion (goto-char (point-min)) (re-search-forward regexp nil t))))

(defmacro grove-test-with-cluster (nodes &rest body)
  "Run BODY in a fresh grove buffer connected to a broker and NODES.
NODES is a list like `grove-start-nodes'.  The buffer is current and
in `grove-clojure-mode' and `grove-mode'; everything is stopped after."
  (declare (indent 1) (debug t))
  `(let ((grove-start-nodes ,nodes)
         (grove-start-heartbeat 200)
         (grove-rewrite-delay 0.5)
         (grove-display 'rewrite)
         (grove-test-messages nil)
         (buf (generate-new-buffer "grove-test.clj")))
     (add-hook 'grove-message-functions #'grove-test--record)
     (unwind-protect
         (with-current-buffer buf
           (grove-clojure-mode)
           (grove-mode 1)
           (grove-start)
           (let ((want (mapcar #'car grove-start-nodes)))
             (grove-test-wait (lambda () (cl-subsetp want (grove-node-ids) :test #'equal))))
           (let ((caught grove--caught-count))
             ,@body
             ;; grove logged no error of its own meanwhile
             (should (= caught grove--caught-count))))
       (remove-hook 'grove-message-functions #'grove-test--record)
       (grove-stop)
       (when (buffer-live-p buf)
         (with-current-buffer buf (set-buffer-modified-p nil))
         (kill-buffer buf)))))

(defconst grove-test-two-nodes
  '(("alpha" "--context" "{:region :us}") ("beta" "--context" "{:region :eu}"))
  "Nodes :alpha (region :us) and :beta (region :eu).")

(defun grove-test-run-batch ()
  "Run the ERT tests loaded (GROVE_TEST_SELECTOR: a regexp) and exit.
Prints \"ert: N passed, M failed\" last; skipped tests count as failed."
  (let* ((sel (or (getenv "GROVE_TEST_SELECTOR") t))
         (stats (ert-run-tests-batch (if (equal sel "") t sel)))
         (pass (ert-stats-completed-expected stats))
         (fail (+ (ert-stats-completed-unexpected stats) (ert-stats-skipped stats))))
    (when (get-buffer " *grove-log*")
      (princ "---- grove's log (errors it caught) ----\n")
      (princ (with-current-buffer " *grove-log*" (buffer-string))))
    (princ (format "ert: %d passed, %d failed\n" pass fail))
    (kill-emacs (if (zerop fail) 0 1))))

(provide 'grove-test-helpers)
;;; grove-test-helpers.el ends here
