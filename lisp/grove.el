;;; grove.el --- Live values from every node, inline while you type -*- lexical-binding: t -*-

;; This file is part of grove.  See LICENSE.

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1"))
;; Keywords: languages, lisp, tools
;; URL: https://example.invalid/grove

;;; Commentary:

;; grove-mode is a minor mode for Clojure buffers holding a grove program.
;; Every edit goes at once to grove's dynamic module (build/grove-module.so,
;; found next to this file's directory), which keeps a tree-sitter tree of
;; the buffer and sends the forms that changed to a broker; the nodes run
;; the live forms (those marked with a top-level `!') and report the value
;; of every `(? ...)' form they evaluate.  Values come back through a pipe
;; the module writes to, and grove-mode shows them in the form itself,
;;
;;     !(? :sum (+ 1 2) #_{:alpha 3, :beta 3})
;;
;; (one entry per node, behind `#_' so the reader skips it), or after the
;; form in an overlay (see `grove-display').  Rewriting never moves point,
;; never adds to the undo history and never touches the top-level form
;; you are typing in: it catches up when you pause.
;;
;; The editor is a node too: forms placed on `:editor' run inside Emacs, in
;; the module's interpreter, in slices from a timer; \\[keyboard-quit]
;; interrupts a runaway evaluation there.
;;
;; Quick start: open a .clj file, M-x grove-mode, then M-x grove-start
;; (a local broker and nodes :alpha and :beta, nothing to configure), or
;; M-x grove-connect to a running broker.  `make demo' in the checkout
;; does all of it on examples/demo.clj.
;;
;; Commands (prefix C-c ; in grove-mode, also in the Grove menu):
;;   C-c ; s  grove-start         C-c ; c  grove-connect
;;   C-c ; d  grove-disconnect    C-c ; q  grove-stop
;;   C-c ; n  grove-nodes         C-c ; h  grove-history
;;   C-c ; e  grove-eval-on-node  C-c ; v  grove-show-value
;;   C-c ; !  grove-show-error    C-c ; o  grove-show-output
;;   C-c ; i  grove-interrupt     C-c ; k  grove-remove-annotations

;;; Code:

(require 'cl-lib)
(require 'subr-x)
(require 'tabulated-list)
(require 'easymenu)
(require 'grove-edn)
(require 'grove-clojure)

;;;; The module

(defconst grove--lisp-directory
  (file-name-directory
   (file-truename (or load-file-name
                      (bound-and-true-p byte-compile-current-file)
                      buffer-file-name
                      default-directory)))
  "The directory grove.el was loaded from (the checkout's lisp/).")

(defconst grove--root
  (file-name-directory (directory-file-name grove--lisp-directory))
  "The checkout grove.el belongs to.")

(declare-function grove-module--version nil ())
(declare-function grove-module--open nil (endpoint node-id context pipe))
(declare-function grove-module--close nil (session))
(declare-function grove-module--drain nil (session))
(declare-function grove-module--step nil (session budget-ms))
(declare-function grove-module--send nil (session json))
(declare-function grove-module--doc-new nil (session space file))
(declare-function grove-module--doc-reset nil (doc text))
(declare-function grove-module--doc-edit nil (doc beg end old-len text))
(declare-function grove-module--doc-locate nil (doc form-id offset))
(declare-function grove-module--doc-forms nil (doc))
(declare-function grove-module--doc-close nil (doc))

(defgroup grove nil
  "Live distributed programming: grove's values inline in Clojure buffers."
  :group 'languages
  :prefix "grove-")

(defcustom grove-build-directory nil
  "Where grove's build products are: the module, the broker and `grove'.
nil means the checkout's build/ directory, next to the directory
grove.el was loaded from."
  :type '(choice (const :tag "The checkout's build/" nil) directory))

(defun grove--build-file (name)
  "Return the absolute name of build product NAME."
  (expand-file-name name (or grove-build-directory
                             (expand-file-name "build" grove--root))))

(defun grove--module-missing-message ()
  "A message telling where the module should be and how to build it."
  (format "Grove: %s is missing; build it with `make' in %s"
          (grove--build-file "grove-module.so")
          (abbreviate-file-name grove--root)))

(defun grove--load-module ()
  "Load grove's dynamic module unless it is loaded; return non-nil on success."
  (or (fboundp 'grove-module--version)
      (let ((file (grove--build-file "grove-module.so")))
        (cond
         ((not module-file-suffix)
          (display-warning 'grove "This Emacs cannot load dynamic modules")
          nil)
         ((not (file-exists-p file))
          (display-warning 'grove (grove--module-missing-message))
          nil)
         (t (module-load file) t)))))

(defun grove--require-module ()
  "Signal a `user-error' saying how to build the module when it is missing."
  (unless (grove--load-module)
    (user-error "%s" (grove--module-missing-message))))

;;;; Options

(defcustom grove-display 'rewrite
  "How values are shown.
`rewrite': the `?' form rewrites itself, e.g. (? (+ 1 2) #_{:alpha 3}),
the values behind `#_' so the reader skips them; point, undo and the
form you are typing in are left alone.  `overlay': the same data is
shown after the form and nothing is written to the buffer."
  :type '(choice (const :tag "Rewrite the ? form" rewrite)
                 (const :tag "Overlay after the ? form" overlay)))

(defcustom grove-value-max-width 40
  "Values longer than this many characters are cut, ending in `...'.
The full value is one command away: `grove-show-value'."
  :type 'integer)

(defcustom grove-rewrite-delay 1.0
  "Seconds after your last edit before the form you are in is rewritten.
Values for the top-level form around point wait until you have not
typed for this long; other forms are rewritten at once."
  :type 'number)

(defcustom grove-rewrite-keep-unmodified t
  "Non-nil: rewriting values into an unmodified buffer leaves it unmodified.
Values are data, not edits: with this on, a visited file whose only
changes are values is not offered for saving."
  :type 'boolean)

(defcustom grove-default-endpoint
  (or (getenv "GROVE_BROKER") "tcp://127.0.0.1:7887")
  "The broker endpoint `grove-connect' proposes."
  :type 'string)

(defcustom grove-editor-node-id "editor"
  "The node id of the node running inside Emacs (forms placed on :editor)."
  :type 'string)

(defcustom grove-editor-context nil
  "Extra context of the editor node, as an EDN map (a string), or nil."
  :type '(choice (const nil) string))

(defcustom grove-space "user"
  "The program (space) the buffer's forms belong to.
Every buffer in `grove-mode' should have its own space: two buffers
with the same space replace each other's program."
  :type 'string
  :local t
  :safe #'stringp)

(defcustom grove-start-nodes
  '(("alpha" "--context" "{:region :us}" "--cap" "log" "--cap" "clock" "--cap" "timer")
    ("beta" "--context" "{:region :eu}" "--cap" "log" "--cap" "clock" "--cap" "timer"))
  "The nodes `grove-start' starts.
Each is a node id followed by more arguments for `grove node'
\(contexts, capabilities)."
  :type '(repeat (cons (string :tag "Node id") (repeat (string :tag "Argument")))))

(defcustom grove-start-heartbeat 1000
  "Heartbeat interval in milliseconds of the broker and nodes `grove-start' runs."
  :type 'integer)

(defcustom grove-step-budget 5.0
  "Milliseconds the editor node may run in one slice.
Emacs handles your input between slices."
  :type 'number)

(defcustom grove-output-max-lines 5000
  "Lines kept in the *grove-output* buffer."
  :type 'integer)

(defcustom grove-errors-max-chars 500000
  "Characters kept in the *grove-errors* buffer."
  :type 'integer)

(defcustom grove-message-functions nil
  "Functions called with every message from the broker, after grove's own handling.
Each is called with one argument, the message as an alist with symbol
keys (the wire's JSON object, see docs/PROTOCOL.md)."
  :type 'hook)

(defface grove-value-face
  '((((background dark)) :foreground "#9ccc65")
    (t :foreground "#2e7d32"))
  "Face of values shown in overlays (`grove-display' `overlay').")

(defface grove-error-face
  '((((supports :underline (:style wave))) :underline (:style wave :color "red"))
    (t :underline t :foreground "red"))
  "Face of the place an error happened.")

(defface grove-error-message-face
  '((t :inherit error))
  "Face of error messages shown after a form.")

;;;; State

(defvar grove-mode)

(defvar grove--session nil "The module's session (a user-ptr), or nil.")
(defvar grove--pipe nil "The pipe process the module wakes Emacs with.")
(defvar grove--endpoint nil "The broker endpoint of the session.")
(defvar grove--connected nil "Non-nil while the broker has welcomed us.")
(defvar grove--nodes nil
  "The nodes the broker knows.
A list of alists with keys id, session, role, caps, context, seen.")
(defvar grove--left-nodes nil "Nodes that left, newest first (for `grove-nodes').")
(defvar grove--step-timer nil "The timer running the editor node.")
(defvar grove--step-due nil "When `grove--step-timer' fires (float time).")
(defvar grove--editor-busy nil "Non-nil when the editor node wanted to run again at once.")
(defvar grove--interrupt-requested nil "Non-nil: interrupt the editor node at its next slice.")
(defvar grove--catchup-timer nil "The timer rewriting values that waited.")
(defvar grove--processes nil "Processes started by `grove-start' (broker first).")
(defvar grove--pending-evals (make-hash-table :test #'equal)
  "Eval requests waiting for their result: request id -> plist.")
(defvar grove--request-counter 0 "For request ids.")
(defvar grove--history-request nil "The last history request: a plist.")
(defvar grove--caught-count 0
  "How many errors grove caught and logged (they never reach the user).")
(defvar grove-last-result nil
  "The last eval result: an alist (the wire's \"result\" message).")

(defvar-local grove--doc nil "The module's document for this buffer.")
(defvar-local grove--last-edit 0.0 "When the user last edited this buffer (float time).")
(defvar-local grove--pending nil "Target overlays waiting to be rewritten.")
(defvar-local grove--errors nil
  "Error overlays by top-level form: a list of (FORM NOTE MARK).")
(defvar grove--mode-buffers nil "Buffers in `grove-mode'.")

(defvar-local grove--history-source nil "In *grove-history*: the request it shows.")

(defvar grove--rewriting nil "Non-nil while grove itself changes the buffer.")

(defvar grove--batch nil
  "While `grove--drain' handles the messages of one drain: a `grove--batch'.
Values are stored as they come but each target is shown once, at the
end, and `grove-message-functions' run after that.  nil otherwise:
every message is shown and passed to the hook at once.")

(cl-defstruct (grove--batch (:constructor grove--batch-make)
                            (:copier nil) (:predicate nil))
  "The work a drain leaves for its end (see the variable `grove--batch')."
  (targets nil :documentation "Target overlays to show, newest first, each once.")
  (messages nil :documentation "Messages for `grove-message-functions', newest first.")
  (places nil :documentation "Alist: what `grove--locate' found for a value's spot."))

(defun grove--log (fmt &rest args)
  "Log FMT with ARGS to the hidden buffer \" *grove-log*\"."
  (with-current-buffer (get-buffer-create " *grove-log*")
    (goto-char (point-max))
    (insert (format-time-string "%T.%3N ") (apply #'format fmt args) "\n")
    (when (> (buffer-size) 200000)
      (delete-region (point-min) (- (point-max) 100000)))))

(defun grove--caught (where err)
  "Log ERR, caught in WHERE, without bothering the user."
  (cl-incf grove--caught-count)
  (grove--log "error in %s: %S" where err))

(defun grove--buffers ()
  "Buffers in `grove-mode'."
  (setq grove--mode-buffers (cl-delete-if-not #'buffer-live-p grove--mode-buffers)))

;;;; Session

(defun grove--send (msg)
  "Send MSG (an alist with symbol keys) to the broker."
  (unless grove--session (user-error "Grove: not connected (M-x grove-start or grove-connect)"))
  (grove-module--send grove--session
                      (json-serialize (cons '(v . 1) msg) :null-object nil :false-object :false)))

(defun grove--open (endpoint)
  "Open a session with the broker at ENDPOINT, closing any other."
  (grove--require-module)
  (grove--close)
  (setq grove--pipe (make-pipe-process :name "grove-wakeup"
                                       :buffer nil
                                       :coding 'binary
                                       :noquery t
                                       :filter #'grove--filter
                                       :sentinel #'ignore))
  (condition-case err
      (setq grove--session (grove-module--open endpoint grove-editor-node-id
                                               grove-editor-context grove--pipe))
    (error (delete-process grove--pipe)
           (setq grove--pipe nil)
           (signal (car err) (cdr err))))
  (setq grove--endpoint endpoint
        grove--connected nil
        grove--nodes nil)
  (dolist (b (grove--buffers))
    (with-current-buffer b (grove--attach-doc)))
  (add-hook 'kill-emacs-hook #'grove--kill-emacs)
  (add-hook 'pre-command-hook #'grove--pre-command)
  (grove--schedule-step 0)
  (force-mode-line-update t))

(defun grove--close ()
  "Close the session (the buffers stay in `grove-mode')."
  (when grove--step-timer (cancel-timer grove--step-timer))
  (setq grove--step-timer nil grove--step-due nil grove--editor-busy nil)
  (dolist (b (grove--buffers))
    (with-current-buffer b (grove--detach-doc)))
  (when grove--session
    (condition-case err (grove-module--close grove--session)
      (error (grove--caught "close" err)))
    (setq grove--session nil))
  (when grove--pipe
    (delete-process grove--pipe)
    (setq grove--pipe nil))
  (remove-hook 'pre-command-hook #'grove--pre-command)
  (setq grove--connected nil grove--nodes nil)
  (force-mode-line-update t))

(defun grove--kill-emacs ()
  "Close the session and stop what `grove-start' started (on `kill-emacs-hook')."
  (ignore-errors (grove--close))
  (ignore-errors (grove--stop-processes)))

(defun grove--filter (_proc _bytes)
  "The pipe's filter: the module has messages for us."
  (grove--drain))

(defun grove--drain ()
  "Handle every message the module has queued.
They are handled as one batch (see `grove--batch'): a (? ...) form that
got values from several nodes is rewritten once."
  (when grove--session
    (let ((msgs (condition-case err (grove-module--drain grove--session)
                  (error (grove--caught "drain" err) nil))))
      (when msgs
        (let ((batch (grove--batch-make)))
          (let ((grove--batch batch))
            (dolist (json msgs)
              (grove--dispatch json)))
          (grove--finish-batch batch)))
      ;; A program change for the editor node may have come with them.
      (grove--schedule-step 0))))

(defun grove--dispatch (json)
  "Handle one message from the module, JSON text.
Inside a batch (`grove--batch') its value is shown, and the message
passed to `grove-message-functions', when the batch ends."
  (condition-case err
      (let ((msg (json-parse-string json :object-type 'alist :array-type 'list
                                    :null-object nil :false-object nil)))
        (pcase (alist-get 'type msg)
          ("value" (grove--on-value msg))
          ("fault" (grove--on-fault msg))
          ("out" (grove--on-out msg))
          ("node-list" (grove--on-node-list msg))
          ("node-joined" (grove--on-node-joined msg))
          ("node-left" (grove--on-node-left msg))
          ("history-list" (grove--on-history msg))
          ("result" (grove--on-result msg))
          ("connection" (grove--on-connection msg))
          ("welcome" (grove--on-connection '((state . "connected"))))
          ("error" (grove--log "broker error: %s %s (%s)" (alist-get 'code msg)
                               (alist-get 'message msg) (alist-get 'ref msg))))
        (if grove--batch
            (push msg (grove--batch-messages grove--batch))
          (run-hook-with-args 'grove-message-functions msg)))
    (error (grove--caught "dispatch" err))))

(defun grove--finish-batch (batch)
  "Show the targets BATCH collected, then pass its messages to the hook."
  (let ((targets (reverse (grove--batch-targets batch)))
        (done nil))
    ;; The targets of one buffer together.
    (dolist (ov targets)
      (let ((buf (overlay-buffer ov)))
        (when (and buf (not (memq buf done)))
          (push buf done)
          (with-current-buffer buf
            (grove--render-all (cl-remove-if-not (lambda (o) (eq (overlay-buffer o) buf))
                                                 targets)))))))
  (dolist (msg (nreverse (grove--batch-messages batch)))
    (condition-case err
        (run-hook-with-args 'grove-message-functions msg)
      (error (grove--caught "dispatch" err)))))

;;;; The editor node

(defun grove--schedule-step (ms)
  "Run the editor node in MS milliseconds (at least 1) unless it is due sooner."
  (when grove--session
    (let ((due (+ (float-time) (/ (max ms 1.0) 1000.0))))
      (unless (and grove--step-timer grove--step-due (<= grove--step-due due))
        (when grove--step-timer (cancel-timer grove--step-timer))
        (setq grove--step-due due
              grove--step-timer (run-at-time (/ (max ms 1.0) 1000.0) nil #'grove--step))))))

(defun grove--step ()
  "Run the editor node for one slice, then schedule the next one."
  (setq grove--step-timer nil grove--step-due nil)
  (when grove--session
    (let ((ms 100.0) (quit nil)
          (ours (or grove--editor-busy grove--interrupt-requested)))
      ;; Timers run with `inhibit-quit' bound to t.  \\[keyboard-quit] during
      ;; the slice sets `quit-flag', which the module reads: it stops the
      ;; running evaluation and returns.  A \\[keyboard-quit] that came
      ;; between two slices (`grove--pre-command') is passed on the same way.
      (when grove--interrupt-requested
        (setq grove--interrupt-requested nil
              quit-flag t))
      (condition-case err
          (setq ms (grove-module--step grove--session grove-step-budget))
        (quit (setq quit t))
        (error (grove--caught "step" err)))
      (when (and (or quit quit-flag) ours)
        ;; The quit was for the runaway evaluation, which it stopped.
        (setq quit-flag nil)
        (message "Grove: interrupted the evaluation on the editor node"))
      (when quit (setq quit-flag t))
      (setq grove--editor-busy (and (numberp ms) (<= ms 0)))
      (grove--schedule-step (if (numberp ms) ms 100.0)))))

(defun grove--pre-command ()
  "Let \\[keyboard-quit] between two slices interrupt a busy editor node."
  (when (and grove--editor-busy grove--session (eq this-command 'keyboard-quit))
    (grove-interrupt)))

(defun grove-interrupt ()
  "Interrupt the evaluation running on the editor node."
  (interactive)
  (unless grove--session (user-error "Grove: not connected"))
  (setq grove--interrupt-requested t)
  (grove--schedule-step 0))

;;;; Documents

(defun grove--buffer-file ()
  "The file name nodes use in error positions for this buffer."
  (if buffer-file-name (file-name-nondirectory buffer-file-name) (buffer-name)))

(defun grove--attach-doc ()
  "Give this buffer a document in the session and push its whole text."
  (when (and grove--session (not grove--doc))
    (condition-case err
        (progn
          (setq grove--doc (grove-module--doc-new grove--session grove-space
                                                  (grove--buffer-file)))
          (grove--doc-reset))
      (error (setq grove--doc nil)
             (grove--caught "doc-new" err)
             (message "Grove: %s" (error-message-string err))))))

(defun grove--detach-doc ()
  "Close this buffer's document."
  (when grove--doc
    (condition-case err (grove-module--doc-close grove--doc)
      (error (grove--caught "doc-close" err)))
    (setq grove--doc nil grove--pending nil)))

(defun grove--doc-reset ()
  "Hand the whole buffer text to the document again."
  (when grove--doc
    (save-restriction
      (widen)
      (grove-module--doc-reset grove--doc
                               (buffer-substring-no-properties (point-min) (point-max))))))

(defun grove--after-change (beg end old-len)
  "Hand the edit BEG END OLD-LEN to the module at once (`after-change-functions')."
  (when grove--doc
    (condition-case err
        (grove-module--doc-edit grove--doc beg end old-len
                                (buffer-substring-no-properties beg end))
      (error
       ;; The copy is out of sync (or the module refused the edit):
       ;; start over from the whole text.
       (grove--caught "doc-edit" err)
       (condition-case err2 (grove--doc-reset)
         (error (grove--caught "doc-reset" err2))))))
  (unless grove--rewriting
    (setq grove--last-edit (float-time))
    (condition-case err (grove--forget-edited beg end)
      (error (grove--caught "after-change" err)))))

(defun grove--forget-edited (beg end)
  "Drop what an edit between BEG and END made stale: errors, broken targets."
  (dolist (ov (overlays-in (max (point-min) (1- beg)) (min (point-max) (1+ end))))
    (cond ((overlay-get ov 'grove-error) (grove--delete-error (overlay-get ov 'grove-form)))
          ((and (overlay-get ov 'grove-target)
                (not (grove--query-form-p (overlay-start ov) (overlay-end ov))))
           (delete-overlay ov)))))

(defun grove--after-revert ()
  "Re-read the buffer after `revert-buffer'."
  (condition-case err (grove--doc-reset)
    (error (grove--caught "revert" err))))

;;;; Locating the ? form of a value

(defconst grove--query-head-re "(\\?>\\{0,2\\}[][ \t\n,(){}\"]"
  "What a `?' form starts with: (?, (?> or (?>> then a delimiter.")

(defmacro grove--with-clojure-syntax (&rest body)
  "Run BODY with Clojure's syntax table, comments ignored by sexp motion."
  (declare (indent 0) (debug t))
  `(with-syntax-table grove-clojure-mode-syntax-table
     (let ((parse-sexp-ignore-comments t))
       ,@body)))

(defun grove--query-form-p (start end)
  "Return non-nil when START..END is a (? ...) form."
  (and start end (< start end)
       (eq (char-before end) ?\))
       (save-excursion (goto-char start) (looking-at grove--query-head-re))))

(defun grove--query-at (pos)
  "Return (START . END) of the (? ...) form at POS, or nil."
  (when (and pos (save-excursion (goto-char pos) (looking-at grove--query-head-re)))
    (let ((end (grove--with-clojure-syntax
                 (condition-case nil (scan-sexps pos 1) (error nil)))))
      (and end (cons pos end)))))

(defun grove--line-col-pos (line col)
  "Return the buffer position of 1-based LINE and COL, or nil."
  (when (and (integerp line) (integerp col) (> line 0) (> col 0))
    (save-excursion
      (save-restriction
        (widen)
        (goto-char (point-min))
        (when (zerop (forward-line (1- line)))
          (let ((eol (line-end-position)))
            (when (<= (+ (point) (1- col)) eol)
              (+ (point) (1- col)))))))))

(defun grove--form-range (id)
  "Return (START . END) of the top-level form whose id is ID, or nil."
  (when grove--doc
    (let ((f (assoc id (condition-case err (grove-module--doc-forms grove--doc)
                         (error (grove--caught "doc-forms" err) nil)))))
      (and f (cons (nth 2 f) (nth 3 f))))))

(defun grove--find-query-in-form (form query)
  "Find (? :QUERY ...) inside top-level form FORM; return (START . END) or nil."
  (let ((range (grove--form-range form)))
    (when range
      (save-excursion
        (goto-char (car range))
        (let ((re (concat "(\\?>\\{0,2\\}[ \t\n,]+:" (regexp-quote query)
                          "[][ \t\n,(){}\"]"))
              (found nil))
          (while (and (not found) (re-search-forward re (cdr range) t))
            (setq found (grove--query-at (match-beginning 0))))
          found)))))

(defun grove--num (x)
  "X as an integer when it is a number."
  (and (numberp x) (truncate x)))

(defun grove--locate (msg)
  "Return (START . END) of the (? ...) form value MSG reports, or nil.
The module's document knows it from the form's id and the offset; the
line and column are only for when it does not."
  (let ((form (alist-get 'form msg))
        (offset (grove--num (alist-get 'offset msg))))
    (or (and offset grove--doc form
             (let ((r (condition-case err (grove-module--doc-locate grove--doc form offset)
                        (error (grove--caught "doc-locate" err) nil))))
               (and r (grove--query-form-p (nth 0 r) (nth 1 r))
                    (cons (nth 0 r) (nth 1 r)))))
        (grove--locate-by-position msg))))

(defun grove--locate-by-position (msg)
  "Like `grove--locate' for MSG, from its line and column and its query."
  (let* ((form (alist-get 'form msg))
         (query (or (alist-get 'query msg) ""))
         (by-pos (string-match-p "\\`[0-9]+:[0-9]+\\'" query))
         (pos (grove--line-col-pos (grove--num (alist-get 'line msg))
                                   (grove--num (alist-get 'col msg)))))
    (or (let ((r (grove--query-at pos)))
          (and r
               (if by-pos
                   ;; A query known by its position: the ? there must
                   ;; belong to the form that reported it.
                   (let ((f (and form (grove--form-range form))))
                     (and f (<= (car f) (car r)) (<= (cdr r) (cdr f))))
                 ;; A keyword query must be the one written there.
                 (save-excursion
                   (goto-char (car r))
                   (looking-at (concat "(\\?>\\{0,2\\}[ \t\n,]+:" (regexp-quote query)
                                       "[][ \t\n,(){}\"]"))))
               r))
        (and form (not by-pos) (grove--find-query-in-form form query))
        (and pos form by-pos (grove--find-query-after pos form)))))

(defun grove--locate-in-batch (msg)
  "`grove--locate' for MSG, asked once per spot and buffer text in a batch.
The values of one (? ...) form from several nodes name the same spot;
while a batch is handled nothing is rewritten, so the answer holds."
  (if (not grove--batch)
      (grove--locate msg)
    (let* ((key (list (current-buffer) (buffer-chars-modified-tick)
                      (alist-get 'form msg) (alist-get 'offset msg) (alist-get 'query msg)
                      (alist-get 'line msg) (alist-get 'col msg)))
           (known (assoc key (grove--batch-places grove--batch))))
      (if known
          (and (cdr known) (cons (cadr known) (cddr known)))
        (let ((r (grove--locate msg)))
          (push (cons key (and r (cons (car r) (cdr r))))
                (grove--batch-places grove--batch))
          r)))))

(defun grove--find-query-after (pos form)
  "The first (? ...) form at or after POS on its line, inside top-level FORM.
A node reports positions in the text it evaluated; values written
into the buffer since (behind #_) only push later `?' forms of the same
line to the right."
  (let ((f (grove--form-range form)))
    (when f
      (save-excursion
        (goto-char pos)
        (let ((eol (min (line-end-position) (cdr f))) (found nil))
          (while (and (not found) (re-search-forward grove--query-head-re eol t))
            (let ((b (match-beginning 0)))
              (unless (nth 8 (syntax-ppss b))       ; not in a string or comment
                (setq found (grove--query-at b)))
              (goto-char (1+ b))))
          (and found (<= (car f) (car found)) (<= (cdr found) (cdr f)) found))))))

;;;; Targets: one overlay per (? ...) form that has values

(defun grove--target-at (start)
  "The target overlay starting at START, or nil."
  (cl-find-if (lambda (o) (and (overlay-get o 'grove-target) (= (overlay-start o) start)))
              (overlays-in start (1+ start))))

(defun grove--target (range)
  "The target overlay for the (? ...) form in RANGE, made when missing."
  (let ((ov (grove--target-at (car range))))
    (if ov
        (unless (= (overlay-end ov) (cdr range))
          (move-overlay ov (car range) (cdr range)))
      (setq ov (make-overlay (car range) (cdr range) nil t nil))
      (overlay-put ov 'grove-target t)
      (overlay-put ov 'evaporate t))
    ov))

(defun grove--targets-around (pos)
  "Target overlays containing POS, innermost first."
  (sort (cl-remove-if-not (lambda (o) (overlay-get o 'grove-target))
                          (overlays-in (max (point-min) (1- pos)) (min (point-max) (1+ pos))))
        (lambda (a b) (< (- (overlay-end a) (overlay-start a))
                         (- (overlay-end b) (overlay-start b))))))

(defun grove--target-at-point ()
  "The target overlay of the (? ...) form at point, or nil.
Point may be anywhere in the form; failing that, the first target in
the top-level form around point."
  (or (car (cl-remove-if-not (lambda (o) (and (<= (overlay-start o) (point))
                                              (< (point) (overlay-end o))))
                             (grove--targets-around (point))))
      (car (grove--targets-around (point)))
      (let ((top (grove--toplevel-range (point))))
        (and top
             (car (sort (cl-remove-if-not (lambda (o) (overlay-get o 'grove-target))
                                          (overlays-in (car top) (cdr top)))
                        (lambda (a b) (< (overlay-start a) (overlay-start b)))))))))

(defun grove--store-value (ov msg)
  "Record value MSG in target OV.
What the annotation shows of it, the node's key and the value made
readable and cut to `grove-value-max-width', is made here, once, and
kept with it (see `grove--entry-text')."
  (let* ((node (or (alist-get 'node msg) "?"))
         (values (assoc-delete-all node (overlay-get ov 'grove-values))))
    (overlay-put ov 'grove-form (alist-get 'form msg))
    (overlay-put ov 'grove-query (alist-get 'query msg))
    (overlay-put ov 'grove-space (alist-get 'space msg))
    (unless (eq (car (alist-get 'grove-safe msg)) grove-value-max-width)
      (let ((safe (grove--safe-value msg)))
        (setq msg (cons (list 'grove-safe grove-value-max-width safe
                              (concat (grove-edn-key node) " " safe))
                        (if (assq 'grove-safe msg)
                            (assq-delete-all 'grove-safe (copy-sequence msg))
                          msg)))))
    (overlay-put ov 'grove-values
                 (sort (cons (cons node msg) values)
                       (lambda (a b) (string< (car a) (car b)))))))

(defun grove--safe-value (msg)
  "The value of MSG, readable and cut to `grove-value-max-width'.
`grove--store-value' keeps it in MSG, so it is computed once."
  (let ((cached (alist-get 'grove-safe msg)))
    (if (eq (car cached) grove-value-max-width)
        (nth 1 cached)
      (grove-edn-safe (or (alist-get 'value msg) "nil") grove-value-max-width))))

(defun grove--entry-text (nv)
  "The text \":NODE VALUE\" of NV, a node and its value message, in an annotation."
  (let ((cached (alist-get 'grove-safe (cdr nv))))
    (if (eq (car cached) grove-value-max-width)
        (nth 2 cached)
      (concat (grove-edn-key (car nv)) " " (grove--safe-value (cdr nv))))))

(defun grove--annotation-map (values)
  "The EDN map {:node value, ...} of VALUES (an alist node -> message)."
  (concat "{" (mapconcat #'grove--entry-text values ", ") "}"))

;;;; Display

(defun grove--render (ov &optional now)
  "Show the values of target OV; NOW: even in the form being typed in."
  (when (overlay-buffer ov)
    (pcase grove-display
      ('overlay
       (overlay-put ov 'after-string
                    (propertize (concat " " (grove--annotation-map (overlay-get ov 'grove-values)))
                                'face 'grove-value-face)))
      (_
       (overlay-put ov 'after-string nil)
       (if (and (not now) (grove--busy-p ov))
           (progn (cl-pushnew ov grove--pending)
                  (grove--schedule-catchup))
         (setq grove--pending (delq ov grove--pending))
         (save-restriction
           (widen)
           (grove--rewrite ov)))))))

(defun grove--render-all (targets &optional now)
  "Show the values of TARGETS, overlays in this buffer; NOW as in `grove--render'."
  (save-restriction
    (widen)
    (dolist (ov targets)
      (condition-case err (grove--render ov now)
        (error (grove--caught "render" err))))))

(defun grove--toplevel-range (pos)
  "Return (START . END) of the top-level form containing POS, or nil."
  (let ((open (car (nth 9 (save-excursion (syntax-ppss pos))))))
    (when open
      (cons open (or (condition-case nil (scan-lists open 1 0) (error nil))
                     (point-max))))))

(defun grove--busy-p (ov)
  "Non-nil when the user is typing in the top-level form around target OV.
That is, point is inside it (after its opening bracket, before its
closing one, or anywhere after it when it is not closed yet).  The form
is found from OV's side: after a rewrite there `syntax-ppss' has little
to rescan, where from point it might have to go over the whole buffer."
  (and (< (- (float-time) grove--last-edit) grove-rewrite-delay)
       (let ((open (car (nth 9 (save-excursion (syntax-ppss (1+ (overlay-start ov))))))))
         (and open
              (< open (point))
              (let ((close (condition-case nil (scan-lists open 1 0) (error nil))))
                (or (null close) (< (point) close)))))))

(defun grove--schedule-catchup ()
  "Make sure the values that wait are rewritten when the user pauses."
  (unless (and grove--catchup-timer (memq grove--catchup-timer timer-list))
    (setq grove--catchup-timer
          (run-at-time (max 0.05 (- (+ grove--last-edit grove-rewrite-delay) (float-time)))
                       nil #'grove--catchup))))

(defun grove--catchup ()
  "Rewrite the values that waited for the user to pause."
  (setq grove--catchup-timer nil)
  (let ((again nil))
    (dolist (b (grove--buffers))
      (with-current-buffer b
        (let ((ready nil))
          (dolist (ov grove--pending)
            (condition-case err
                (cond ((not (overlay-buffer ov)) (setq grove--pending (delq ov grove--pending)))
                      ((grove--busy-p ov) (setq again t))
                      (t (push ov ready)))
              (error (setq grove--pending (delq ov grove--pending))
                     (grove--caught "catchup" err))))
          (when ready
            (grove--render-all (nreverse ready) t)))))
    (when again
      (setq grove--catchup-timer (run-at-time 0.1 nil #'grove--catchup)))))

(defun grove--annotation-range (start end)
  "Return (BEG . END) of the trailing #_ form in the list START..END, or nil."
  (grove--with-clojure-syntax
    (save-excursion
      (goto-char (1- end))
      (skip-chars-backward " \t\n,")
      (let* ((e (point))
             (b (and (> e (1+ start)) (condition-case nil (scan-sexps e -1) (error nil)))))
        (when (and b (> b start))
          (goto-char b)
          (if (looking-at "#_")
              (cons b e)
            (skip-chars-backward " \t\n,")
            (and (>= (- (point) 2) (1+ start))
                 (string= (buffer-substring-no-properties (- (point) 2) (point)) "#_")
                 (cons (- (point) 2) e))))))))

(defun grove--rewrite (ov)
  "Write the values of target OV into its (? ...) form."
  (let ((start (overlay-start ov)) (end (overlay-end ov)))
    (if (not (grove--query-form-p start end))
        (delete-overlay ov)
      (let ((text (concat "#_" (grove--annotation-map (overlay-get ov 'grove-values))))
            (ann (grove--annotation-range start end)))
        (cond
         ((null ann) (grove--replace (1- end) (1- end)
                                     (if (memq (char-before (1- end)) '(?\s ?\t ?\n ?,))
                                         text
                                       (concat " " text))))
         ((not (and (= (length text) (- (cdr ann) (car ann)))
                    (string= text (buffer-substring-no-properties (car ann) (cdr ann)))))
          (grove--replace (car ann) (cdr ann) text)))))))

(defsubst grove--map-pos (pos b e len)
  "Return the new place of POS after B..E is replaced by LEN characters.
A position on a character keeps that character, even when the text
is inserted just before it."
  (cond ((= b e) (if (>= pos b) (+ pos len) pos))
        ((>= pos e) (+ pos (- len (- e b))))
        ((> pos b) (+ b (min (- pos b) len)))
        (t pos)))

(defsubst grove--map-end (pos b e len)
  "Return the new place of range end POS after B..E becomes LEN characters."
  (cond ((= b e) (if (> pos b) (+ pos len) pos))
        ((>= pos e) (+ pos (- len (- e b))))
        ((> pos b) (+ b (min (- pos b) len)))
        (t pos)))

(defun grove--shift-undo (b e len)
  "Fix the undo list after grove replaced B..E by LEN characters unrecorded.
See `grove--shift-undo-list'.  While an undo sequence is going on in
this buffer (the last command was `undo' and the next one would go on
from `pending-undo-list'), the entries it has yet to undo hold places
in the text as it is now, so they are fixed from that point of view
\(and `buffer-undo-list' up to them)."
  (when (consp buffer-undo-list)
    (let ((pending (and (eq last-command 'undo)
                        (consp pending-undo-list)
                        (fboundp 'undo--last-change-was-undo-p)
                        (undo--last-change-was-undo-p buffer-undo-list)
                        pending-undo-list)))
      (grove--shift-undo-list buffer-undo-list pending b e len)
      (when pending
        (grove--shift-undo-list pending nil b e len)))))

(defun grove--shift-undo-list (list stop b e len)
  "Fix undo LIST, up to its tail STOP, after B..E became LEN characters.
Each entry, newest first, is made to act on the text with the
replacement in it; then the replacement is carried back to where it is
in the text that undoing the entry leaves, since the entries after it
hold places in that text.  So undo finds every edit where it is,
however far back.

When an entry records the insertion of text the replacement lies in,
undoing it takes the replacement away too: the older entries know
nothing of it and the walk stops there.  So a rewrite of a (? ...)
form typed since the undo list began walks back only to that typing;
otherwise, the whole list, which `undo-limit' bounds."
  (let ((cell list) x a d)
    (while (and cell (not (eq cell stop)))
      (setq x (car cell))
      (cond
       ((null x))                                       ; boundary
       ((integerp x)                                    ; POSITION
        (when (>= x b) (setcar cell (grove--map-pos x b e len))))
       ((not (consp x)))
       ((integerp (setq a (car x)))                     ; (BEG . END): undo deletes it
        (when (integerp (setq d (cdr x)))
          (when (>= d b)
            (setcar x (grove--map-pos a b e len))
            (setcdr x (grove--map-end d b e len)))
          (cond ((<= e a))                              ; after the replacement
                ((>= b d) (setq b (- b (- d a)) e (- e (- d a))))
                ((and (<= a b) (<= e d)) (setq cell nil)) ; inside: gone with it
                (t (setq b (if (<= b a) b a)            ; overlapping (user-edited #_)
                         e (if (>= e d) (- e (- d a)) a))))))
       ((stringp a)                                     ; (TEXT . POSITION): undo inserts
        (when (integerp (setq d (cdr x)))
          (let ((p (abs d)))
            (when (>= p b)
              (setcdr x (if (< d 0) (- (grove--map-pos p b e len)) (grove--map-pos p b e len))))
            (cond ((if (= b e) (>= p b) (>= p e)))      ; after the replacement
                  ((< b p) (setq e (+ e (length a))))   ; inside it
                  (t (setq b (+ b (length a)) e (+ e (length a))))))))
       ((null a)                                        ; (nil PROP VAL BEG . END)
        (let ((r (nthcdr 3 x)))
          (when (and (consp r) (integerp (car r)) (integerp (setq d (cdr r))) (>= d b))
            (setcar r (grove--map-pos (car r) b e len))
            (setcdr r (grove--map-end d b e len)))))
       ((eq a 'apply)                                   ; (apply DELTA BEG END ...)
        (let ((r (nthcdr 2 x)))
          (when (and (integerp (nth 1 x)) (consp r) (integerp (car r))
                     (consp (cdr r)) (integerp (setq d (cadr r))))
            (when (>= d b)
              (setcar r (grove--map-pos (car r) b e len))
              (setcar (cdr r) (grove--map-end d b e len)))
            (when (>= b d)
              (setq b (+ b (nth 1 x)) e (+ e (nth 1 x))))))))
      (setq cell (cdr cell)))))

(defun grove--replace (b e text)
  "Replace B..E by TEXT as grove: no undo step, point and windows stay put."
  (let* ((len (length text))
         (pt (point))
         (wins (mapcar (lambda (w) (cons w (window-point w)))
                       (get-buffer-window-list nil nil t)))
         (modified (buffer-modified-p))
         (inhibit-read-only t)
         (deactivate-mark nil))
    (let ((buffer-undo-list t)
          (grove--rewriting t)
          ;; No file lock or "changed on disk?" question for a rewrite.
          (buffer-file-truename (and modified buffer-file-truename)))
      (save-match-data
        (set-match-data (list b e))
        (replace-match text t t)))
    (goto-char (grove--map-pos pt b e len))
    (dolist (w wins)
      (set-window-point (car w) (grove--map-pos (cdr w) b e len)))
    (grove--shift-undo b e len)
    (when (and (not modified) grove-rewrite-keep-unmodified)
      (restore-buffer-modified-p nil))))

;;;; Values, errors, output

(defun grove--buffers-for (space)
  "Buffers in `grove-mode' with a document for SPACE."
  (let ((out nil))
    (dolist (b grove--mode-buffers)
      (when (and (buffer-live-p b)
                 (buffer-local-value 'grove--doc b)
                 (equal (buffer-local-value 'grove-space b) space))
        (push b out)))
    out))

(defun grove--on-value (msg)
  "Show value MSG at its (? ...) form.
Inside a batch (`grove--batch') the value is stored at once and shown
when the batch ends, once for all the values its form got."
  (catch 'done
    (dolist (b (grove--buffers-for (alist-get 'space msg)))
      (with-current-buffer b
        (save-restriction
          (widen)
          (let ((range (grove--locate-in-batch msg)))
            (when range
              (let ((ov (grove--target range)))
                (grove--clear-fault (alist-get 'form msg) (alist-get 'node msg))
                (grove--store-value ov msg)
                (if grove--batch
                    (unless (memq ov (grove--batch-targets grove--batch))
                      (push ov (grove--batch-targets grove--batch)))
                  (grove--render ov)))
              (throw 'done b))))))))

(defun grove--short-message (message)
  "The part of error MESSAGE worth showing on one line."
  (let ((lines (split-string (or message "") "\n" t "[ \t]+")))
    (string-join (if (and (cdr lines) (string-prefix-p "Execution error" (car lines))
                          (not (string-prefix-p "Syntax error" (car lines))))
                     (cdr lines)
                   lines)
                 " ")))

(defun grove--error-spot (message range)
  "The (START . END) inside RANGE where error MESSAGE points, or nil.
MESSAGE names a position as (FILE:LINE:COL)."
  (when (string-match "(\\([^():\n]*\\):\\([0-9]+\\):\\([0-9]+\\))" (or message ""))
    (let ((p (grove--line-col-pos (string-to-number (match-string 2 message))
                                  (string-to-number (match-string 3 message)))))
      (when (and p (>= p (car range)) (< p (cdr range)))
        (let ((e (grove--with-clojure-syntax
                   (condition-case nil (scan-sexps p 1) (error nil)))))
          (cons p (min (cdr range)
                       (or e (save-excursion (goto-char p) (line-end-position))))))))))

(defun grove--delete-error (form)
  "Remove the error overlays of top-level form FORM in this buffer."
  (mapc #'delete-overlay (grove--error-overlays form))
  (setq grove--errors (assoc-delete-all form grove--errors)))

(defun grove--on-fault (msg)
  "Show fault MSG at its form and log it in *grove-errors*."
  (let ((form (alist-get 'form msg)))
    (grove--log-error msg)
    (catch 'done
      (dolist (b (grove--buffers-for (alist-get 'space msg)))
        (with-current-buffer b
          (save-restriction
            (widen)
            (let ((range (or (grove--form-range form)
                             (let ((p (grove--line-col-pos (grove--num (alist-get 'line msg))
                                                           (grove--num (alist-get 'col msg)))))
                               (and p (save-excursion
                                        (goto-char p)
                                        (cons p (or (grove--with-clojure-syntax
                                                      (condition-case nil (scan-sexps p 1)
                                                        (error nil)))
                                                    (line-end-position)))))))))
              (when range
                (grove--show-fault form range msg)
                (throw 'done b)))))))))

(defun grove--fault-text (faults)
  "One line telling FAULTS, an alist node -> fault message."
  (mapconcat (lambda (nf) (format "[%s] %s" (car nf)
                                  (grove--short-message (alist-get 'message (cdr nf)))))
             (reverse faults) "; "))

(defun grove--error-overlays (form)
  "The error overlays of top-level form FORM in this buffer."
  (cl-remove-if-not #'overlay-buffer (cdr (assoc form grove--errors))))

(defun grove--label-faults (ovs faults)
  "Show FAULTS on the error overlays OVS (the note and the mark)."
  (let ((text (grove--fault-text faults)))
    (dolist (ov ovs)
      (overlay-put ov 'help-echo (concat text "\n" (substitute-command-keys
                                                    "\\[grove-show-error]: the stack trace")))
      (when (overlay-get ov 'grove-error-note)
        (overlay-put ov 'grove-faults faults)
        (overlay-put ov 'after-string
                     (concat "  " (propertize (concat "✗ " text)
                                              'face 'grove-error-message-face)))))))

(defun grove--show-fault (form range msg)
  "Mark the error of MSG in top-level FORM spanning RANGE."
  (let* ((node (alist-get 'node msg))
         (old (cl-find-if (lambda (o) (overlay-get o 'grove-error-note))
                          (grove--error-overlays form)))
         (faults (cons (cons node msg)
                       (assoc-delete-all node (and old (overlay-get old 'grove-faults)))))
         (spot (or (grove--error-spot (alist-get 'message msg) range)
                   (cons (car range) (save-excursion (goto-char (car range))
                                                     (min (cdr range) (line-end-position)))))))
    (grove--delete-error form)
    (let ((note (make-overlay (car range) (cdr range) nil t nil))
          (mark (make-overlay (car spot) (cdr spot) nil t nil)))
      (dolist (ov (list note mark))
        (overlay-put ov 'grove-error t)
        (overlay-put ov 'grove-form form)
        (overlay-put ov 'evaporate t))
      (push (list form note mark) grove--errors)
      (overlay-put note 'grove-error-note t)
      (overlay-put mark 'face 'grove-error-face)
      (overlay-put mark 'priority 10)
      (grove--label-faults (list note mark) faults))))

(defun grove--clear-fault (form node)
  "NODE ran top-level FORM again: drop its error there."
  (let* ((ovs (grove--error-overlays form))
         (note (cl-find-if (lambda (o) (overlay-get o 'grove-error-note)) ovs)))
    (when (and note (assoc node (overlay-get note 'grove-faults)))
      (let ((faults (assoc-delete-all node (copy-alist (overlay-get note 'grove-faults)))))
        (if faults
            (grove--label-faults ovs faults)
          (grove--delete-error form))))))

(defun grove--time-string (ms)
  "Format MS, milliseconds since the epoch, as a time of day."
  (if (numberp ms)
      (format-time-string "%T.%3N" (seconds-to-time (/ ms 1000.0)))
    "-"))

(defun grove--errors-buffer ()
  "The *grove-errors* buffer."
  (or (get-buffer "*grove-errors*")
      (with-current-buffer (get-buffer-create "*grove-errors*")
        (special-mode)
        (current-buffer))))

(defun grove--log-error (msg &optional what)
  "Append fault or result MSG to *grove-errors*; WHAT names it."
  (with-current-buffer (grove--errors-buffer)
    (let ((inhibit-read-only t)
          (at-end (= (point) (point-max))))
      (save-excursion
        (goto-char (point-max))
        (insert (propertize
                 (format "--- [%s] %s %s%s%s\n"
                         (alist-get 'node msg)
                         (grove--time-string (or (alist-get 'time msg) (* 1000 (float-time))))
                         (or what "fault")
                         (if (alist-get 'line msg)
                             (format " at %s:%s" (alist-get 'line msg) (alist-get 'col msg))
                           "")
                         (if (alist-get 'process msg)
                             (format " (process :%s)" (alist-get 'process msg))
                           ""))
                 'face 'bold 'grove-form (alist-get 'form msg) 'grove-entry t)
                (or (alist-get 'message msg) "") "\n"
                (or (alist-get 'trace msg) "") "\n")
        (when (> (buffer-size) grove-errors-max-chars)
          (delete-region (point-min) (- (point-max) (/ grove-errors-max-chars 2)))))
      (when at-end (goto-char (point-max))))))

(defun grove--output-buffer ()
  "The *grove-output* buffer."
  (or (get-buffer "*grove-output*")
      (with-current-buffer (get-buffer-create "*grove-output*")
        (special-mode)
        (current-buffer))))

(defun grove--on-out (msg)
  "Append output MSG to *grove-output*, each line tagged by its node."
  (let* ((node (alist-get 'node msg))
         (text (or (alist-get 'text msg) ""))
         (lines (split-string (string-remove-suffix "\n" text) "\n")))
    (with-current-buffer (grove--output-buffer)
      (let* ((inhibit-read-only t)
             (end (point-max))
             (follow (cons (= (point) end)
                           (cl-remove-if-not (lambda (w) (= (window-point w) end))
                                             (get-buffer-window-list nil nil t)))))
        (save-excursion
          (goto-char end)
          (dolist (l lines)
            (insert (propertize (format "[%s] " node) 'face 'shadow) l "\n"))
          (let ((excess (- (count-lines (point-min) (point-max)) grove-output-max-lines)))
            (when (> excess 0)
              (goto-char (point-min))
              (forward-line excess)
              (delete-region (point-min) (point)))))
        (when (car follow) (goto-char (point-max)))
        (dolist (w (cdr follow)) (set-window-point w (point-max)))))))

(defun grove-show-output ()
  "Show the *grove-output* buffer: what `println' wrote on every node."
  (interactive)
  (display-buffer (grove--output-buffer)))

(defun grove-show-error ()
  "Show the stack trace of the error at point in *grove-errors*."
  (interactive)
  (let* ((ov (or (cl-find-if (lambda (o) (overlay-get o 'grove-error))
                             (overlays-at (point)))
                 (let ((top (grove--toplevel-range (point))))
                   (and top (cl-find-if (lambda (o) (overlay-get o 'grove-error))
                                        (overlays-in (car top) (cdr top)))))))
         (form (and ov (overlay-get ov 'grove-form)))
         (buf (grove--errors-buffer))
         (win (display-buffer buf)))
    (with-current-buffer buf
      (let ((pos (point-max)) (found nil))
        (when form
          (while (and (not found)
                      (setq pos (previous-single-property-change pos 'grove-form)))
            (when (equal (get-text-property pos 'grove-form) form)
              (setq found pos))))
        (goto-char (or found (point-max)))
        (when found (set-window-start win (line-beginning-position)))
        (set-window-point win (point))))))

;;;; Nodes

(defun grove--on-connection (msg)
  "Follow the connection state in MSG."
  (let ((up (equal (alist-get 'state msg) "connected")))
    (unless (eq up grove--connected)
      (setq grove--connected up)
      (unless up (setq grove--nodes nil))
      (force-mode-line-update t))
    (when up (ignore-errors (grove--send '((type . "nodes")))))))

(defun grove--on-node-list (msg)
  "Replace the known nodes with the list in MSG."
  (setq grove--nodes (alist-get 'nodes msg))
  (force-mode-line-update t)
  (grove--refresh-nodes-buffer))

(defun grove--on-node-joined (msg)
  "Note the node that joined, named in MSG, then ask for its details."
  (unless (cl-find (alist-get 'session msg) grove--nodes
                   :key (lambda (n) (alist-get 'session n)) :test #'equal)
    (push `((id . ,(alist-get 'id msg)) (session . ,(alist-get 'session msg))
            (role . "node") (caps) (context . "") (seen . ,(* 1000 (float-time))))
          grove--nodes))
  (force-mode-line-update t)
  (ignore-errors (grove--send '((type . "nodes")))))

(defun grove--on-node-left (msg)
  "Forget the node that left, named in MSG."
  (let ((n (cl-find (alist-get 'session msg) grove--nodes
                    :key (lambda (n) (alist-get 'session n)) :test #'equal)))
    (when n
      (setq grove--nodes (delq n grove--nodes))
      (push n grove--left-nodes)
      (when (nthcdr 20 grove--left-nodes) (setcdr (nthcdr 19 grove--left-nodes) nil))))
  (force-mode-line-update t)
  (grove--refresh-nodes-buffer))

(defun grove--node-p (n)
  "Non-nil when N (a node-list entry) is a node, not only an editor."
  (member (alist-get 'role n) '("node" "both")))

(defun grove-node-ids ()
  "The ids of the connected nodes, a sorted list of strings."
  (sort (delete-dups (mapcar (lambda (n) (alist-get 'id n))
                             (cl-remove-if-not #'grove--node-p grove--nodes)))
        #'string<))

(defun grove--lighter ()
  "The mode-line lighter: \" grove[N]\" with N nodes, \" grove[-]\" offline."
  (if (and grove--session grove--connected)
      (format " grove[%d]" (length (cl-remove-if-not #'grove--node-p grove--nodes)))
    " grove[-]"))

(defun grove--ago (ms)
  "How long ago MS (milliseconds since the epoch) was, as text."
  (if (numberp ms)
      (let ((s (- (float-time) (/ ms 1000.0))))
        (cond ((< s 60) (format "%.1fs ago" (max 0 s)))
              ((< s 3600) (format "%dm ago" (/ s 60)))
              (t (format "%dh ago" (/ s 3600)))))
    "-"))

(define-derived-mode grove-nodes-mode tabulated-list-mode "Grove Nodes"
  "The nodes the broker knows.  \\<grove-nodes-mode-map>\\[revert-buffer] asks again."
  (setq tabulated-list-format [("Id" 10 t) ("Session" 17 t) ("Context" 40 nil)
                               ("Caps" 18 nil) ("Last seen" 10 nil) ("Live" 4 t)])
  (setq tabulated-list-sort-key '("Id"))
  (add-hook 'tabulated-list-revert-hook #'grove--nodes-revert nil t)
  (tabulated-list-init-header))

(defun grove--nodes-revert ()
  "Ask the broker again and show what is known now."
  (when (and grove--session grove--connected)
    (ignore-errors (grove--send '((type . "nodes")))))
  (grove--nodes-entries))

(defun grove--nodes-entries ()
  "Fill `tabulated-list-entries' from the known nodes."
  (setq tabulated-list-entries
        (append
         (mapcar (lambda (n) (grove--node-entry n "yes")) grove--nodes)
         (mapcar (lambda (n) (grove--node-entry n "no"))
                 (cl-remove-if (lambda (l) (cl-find (alist-get 'session l) grove--nodes
                                                    :key (lambda (n) (alist-get 'session n))
                                                    :test #'equal))
                               grove--left-nodes)))))

(defun grove--node-entry (n live)
  "A table row for node N; LIVE is \"yes\" or \"no\"."
  (list (alist-get 'session n)
        (vector (or (alist-get 'id n) "")
                (or (alist-get 'session n) "")
                (or (alist-get 'context n) "")
                (let ((caps (alist-get 'caps n)))
                  (if caps (string-join caps ",") "-"))
                (grove--ago (alist-get 'seen n))
                live)))

(defun grove--refresh-nodes-buffer ()
  "Redraw *grove-nodes* when it exists."
  (let ((b (get-buffer "*grove-nodes*")))
    (when b
      (with-current-buffer b
        (grove--nodes-entries)
        (tabulated-list-print t)))))

(defun grove-nodes ()
  "List the nodes connected to the broker: id, session, context, caps, last seen."
  (interactive)
  (when (and grove--session grove--connected)
    (grove--send '((type . "nodes"))))
  (let ((b (get-buffer-create "*grove-nodes*")))
    (with-current-buffer b
      (unless (derived-mode-p 'grove-nodes-mode) (grove-nodes-mode))
      (grove--nodes-entries)
      (tabulated-list-print t))
    (pop-to-buffer b)))

;;;; History

(defun grove--query-id-at (ov)
  "The query id of target OV, or of the ? form at point when OV is nil."
  (or (and ov (overlay-get ov 'grove-query))
      (let ((r (save-excursion
                 (let ((p (point)) (found nil))
                   (while (and (not found) p)
                     (setq found (grove--query-at p))
                     (setq p (and (not found) (ignore-errors (nth 1 (syntax-ppss p))))))
                   found))))
        (when r
          (save-excursion
            (goto-char (car r))
            (if (looking-at "(\\?>\\{0,2\\}[ \t\n,]+:\\([^][ \t\n,(){}\"]+\\)")
                (match-string-no-properties 1)
              (format "%d:%d" (line-number-at-pos) (1+ (current-column)))))))))

(defun grove-history ()
  "Show the values of the query at point, newest first, with node and time.
In the history buffer, \\<grove-history-mode-map>\\[grove-history-next] \
and \\[grove-history-previous] step through them and the value in the
source follows."
  (interactive)
  (unless (and grove--session grove--connected) (user-error "Grove: not connected"))
  (let* ((ov (grove--target-at-point))
         (query (grove--query-id-at ov)))
    (unless query (user-error "Grove: no (? ...) form at point"))
    (setq grove--history-request (list :buffer (current-buffer) :overlay ov
                                       :query query :space grove-space))
    (grove--send `((type . "history") (space . ,grove-space) (query . ,query)))
    (let ((b (get-buffer-create "*grove-history*")))
      (with-current-buffer b
        (grove-history-mode)
        (setq tabulated-list-entries nil)
        (tabulated-list-print)
        (let ((inhibit-read-only t))
          (insert (format "Asking the broker for the history of %s...\n" query))))
      (display-buffer b))))

(defvar grove-history-mode-map
  (let ((m (make-sparse-keymap)))
    (define-key m "n" #'grove-history-next)
    (define-key m "p" #'grove-history-previous)
    (define-key m (kbd "RET") #'grove-history-show)
    m)
  "Keys of `grove-history-mode'.")

(define-derived-mode grove-history-mode tabulated-list-mode "Grove History"
  "The values a query reported, newest first.
\\<grove-history-mode-map>\\[grove-history-next] and \\[grove-history-previous] \
step through them; the value written in the source follows.
\\{grove-history-mode-map}"
  (setq tabulated-list-format [("Time" 13 nil) ("Node" 10 nil) ("Value" 60 nil)])
  (setq tabulated-list-sort-key nil)
  (tabulated-list-init-header))

(defun grove--on-history (msg)
  "Fill *grove-history* with MSG, a history-list message."
  (let ((req grove--history-request)
        (values (alist-get 'values msg))
        (b (get-buffer "*grove-history*")))
    (when (and req b)
      (with-current-buffer b
        (setq grove--history-source req)
        (setq tabulated-list-entries
              (cl-loop for v in values for i from 0
                       collect (list (cons i v)
                                     (vector (grove--time-string (alist-get 'time v))
                                             (or (alist-get 'node v) "")
                                             (replace-regexp-in-string
                                              "\n" " " (or (alist-get 'value v) ""))))))
        (tabulated-list-print)
        (goto-char (point-min))
        (when (zerop (length values))
          (let ((inhibit-read-only t))
            (insert (format "No values recorded for %s.\n" (plist-get req :query)))))))))

(defun grove-history-show ()
  "Show the history entry at point in the source form."
  (interactive)
  (let ((id (tabulated-list-get-id))
        (req grove--history-source))
    (when (and id (consp id) req)
      (let* ((v (cdr id))
             (ov (plist-get req :overlay))
             (buf (plist-get req :buffer)))
        (when (and (buffer-live-p buf) (or (null ov) (overlay-buffer ov)))
          (with-current-buffer buf
            (let ((ov (or ov (let ((r (grove--locate v))) (and r (grove--target r))))))
              (when ov
                (plist-put req :overlay ov)
                (grove--store-value ov v)
                (grove--render ov t)))))
        (message "[%s] %s: %s" (alist-get 'node v) (grove--time-string (alist-get 'time v))
                 (alist-get 'value v))))))

(defun grove-history-next ()
  "Step to the next (older) value."
  (interactive)
  (forward-line 1)
  (when (eobp) (forward-line -1))
  (grove-history-show))

(defun grove-history-previous ()
  "Step to the previous (newer) value."
  (interactive)
  (forward-line -1)
  (grove-history-show))

;;;; Show value, eval

(defun grove-show-value ()
  "Show the full values of the query at point, one per node, in *grove-value*."
  (interactive)
  (let ((ov (grove--target-at-point)))
    (unless ov (user-error "Grove: no values at point"))
    (let ((values (overlay-get ov 'grove-values))
          (b (get-buffer-create "*grove-value*")))
      (with-current-buffer b
        (let ((inhibit-read-only t))
          (erase-buffer)
          (insert (format "Query %s\n\n" (overlay-get ov 'grove-query)))
          (dolist (nv values)
            (let ((v (cdr nv)))
              (insert (propertize (format "[%s] %s%s  %s\n" (car nv)
                                          (grove--time-string (alist-get 'time v))
                                          (let ((c (alist-get 'count v)))
                                            (if (and (numberp c) (> c 1)) (format " (x%d)" c) ""))
                                          (or (alist-get 'context v) ""))
                                  'face 'bold)
                      (or (alist-get 'value v) "") "\n\n"))))
        (special-mode)
        (goto-char (point-min)))
      (display-buffer b))))

(defun grove--form-at-point ()
  "Return (START . END) of the region, or the top-level form at point.
Between top-level forms: the one that ends just before point, else
the next one."
  (if (use-region-p)
      (cons (region-beginning) (region-end))
    (or (grove--toplevel-range (point))
        (grove--with-clojure-syntax
          (save-excursion
            (let ((p (point)))
              (or (progn
                    (skip-chars-backward " \t,")
                    (and (memq (char-before) '(?\) ?\] ?}))
                         (let ((b (condition-case nil (scan-sexps (point) -1) (error nil))))
                           (and b (cons b (point))))))
                  (progn
                    (goto-char p)
                    (skip-chars-forward " \t\n,")
                    (when (eq (char-after) ?!) (forward-char 1))
                    (let ((b (point))
                          (e (condition-case nil (scan-sexps (point) 1) (error nil))))
                      (and e (cons b e)))))))))))

(defun grove--ns-at-point ()
  "The namespace of the code at point: the last (ns NAME) before it."
  (save-excursion
    (when (re-search-backward "^(ns[ \t\n]+\\([^][ \t\n(){}\"]+\\)" nil t)
      (match-string-no-properties 1))))

(defun grove-eval-on-node (node &optional code)
  "Evaluate CODE (the form at point) on NODE, chosen with completion.
The value shows in the echo area; an error shows with its stack trace
in *grove-errors*."
  (interactive
   (progn
     (unless (and grove--session grove--connected) (user-error "Grove: not connected"))
     (list (completing-read "Evaluate on node: " (grove-node-ids) nil t nil nil
                            (car (grove-node-ids))))))
  (unless grove--session (user-error "Grove: not connected"))
  (let* ((range (and (null code) (grove--form-at-point)))
         (code (or code (and range (buffer-substring-no-properties (car range) (cdr range)))))
         (req (format "e%d" (cl-incf grove--request-counter)))
         (pos (and range (car range)))
         (ns (grove--ns-at-point)))
    (unless code (user-error "Grove: no form at point"))
    (puthash req (list :node node :time (float-time)) grove--pending-evals)
    (grove--send `((type . "eval") (req . ,req) (node . ,node) (code . ,code)
                   ,@(and ns `((ns . ,ns)))
                   (file . ,(grove--buffer-file))
                   ,@(and pos `((line . ,(line-number-at-pos pos))
                                (col . ,(save-excursion (goto-char pos) (1+ (current-column))))))))
    req))

(defun grove--on-result (msg)
  "Show MSG, the result of an eval request."
  (let ((req (alist-get 'req msg)))
    (when (gethash req grove--pending-evals)
      (remhash req grove--pending-evals)
      (setq grove-last-result msg)
      (if (equal (alist-get 'status msg) "success")
          (message "[%s] => %s" (alist-get 'node msg) (alist-get 'value msg))
        (grove--log-error msg "eval")
        (message "[%s] %s  (%s: the stack trace)"
                 (alist-get 'node msg)
                 (grove--short-message (alist-get 'message msg))
                 (substitute-command-keys "\\[grove-show-error]"))))))

;;;; Processes: grove-start

(defun grove--binary (name)
  "The build product NAME, or a `user-error' saying how to build it."
  (let ((f (grove--build-file name)))
    (unless (file-executable-p f)
      (user-error "Grove: %s is missing; build it with `make' in %s"
                  f (abbreviate-file-name grove--root)))
    f))

(defun grove--process-buffer ()
  "The hidden buffer with the output of the processes grove started."
  (get-buffer-create " *grove-processes*"))

(defun grove--process-filter (proc text)
  "Keep TEXT from PROC in the processes' buffer."
  (with-current-buffer (grove--process-buffer)
    (goto-char (point-max))
    (dolist (l (split-string (string-remove-suffix "\n" text) "\n"))
      (insert (format "[%s] %s\n" (process-name proc) l)))
    (when (> (buffer-size) 200000)
      (delete-region (point-min) (- (point-max) 100000))))
  (when (and (not (process-get proc 'grove-endpoint))
             (string-match "listening on \\([^ \t\n]+\\)" text))
    (process-put proc 'grove-endpoint (match-string 1 text))))

(defun grove--process-sentinel (proc event)
  "Tell the user when PROC, started by grove, stops by itself (EVENT)."
  (unless (or (process-live-p proc) (process-get proc 'grove-stopping))
    (setq grove--processes (delq proc grove--processes))
    (message "Grove: %s stopped: %s (see buffer \" *grove-processes*\")"
             (process-name proc) (string-trim event))))

(defun grove--start-process (name command)
  "Start COMMAND as process NAME, owned by grove."
  (let ((p (make-process :name name :command command
                         :buffer nil :noquery t :connection-type 'pipe
                         :coding 'utf-8
                         :filter #'grove--process-filter
                         :sentinel #'grove--process-sentinel)))
    (setq grove--processes (append grove--processes (list p)))
    p))

;; A free port below Linux's ephemeral range (32768 and up): a node
;; reconnecting to a broker that went away from an ephemeral port can have
;; its TCP connection land on itself, and libzmq 4.3 then stops retrying.
(defconst grove--local-bind "tcp://127.0.0.1:*[20000-32767]"
  "Where `grove-start' binds its broker (czmq's port-range syntax).")

(defun grove--start-broker (bind)
  "Start a broker listening on BIND; return the endpoint it listens on."
  (let* ((p (grove--start-process
             "grove-broker"
             (list (grove--binary "grove-broker") "--bind" bind
                   "--heartbeat" (number-to-string grove-start-heartbeat))))
         (deadline (+ (float-time) 10)))
    (while (and (process-live-p p) (not (process-get p 'grove-endpoint))
                (< (float-time) deadline))
      (accept-process-output p 0.05))
    (or (process-get p 'grove-endpoint)
        (progn (grove--stop-process p)
               (error "Grove: the broker did not start (see buffer \" *grove-processes*\")")))))

(defun grove--start-node (endpoint id args)
  "Start node ID with more ARGS, connected to ENDPOINT."
  (grove--start-process (concat "grove-node-" id)
                        (append (list (grove--binary "grove") "node" "--id" id
                                      "--broker" endpoint
                                      "--heartbeat" (number-to-string grove-start-heartbeat))
                                args)))

(defun grove--stop-process (p)
  "Stop process P: SIGTERM, then kill it when it lingers."
  (process-put p 'grove-stopping t)
  (when (process-live-p p)
    (ignore-errors (signal-process p 'SIGTERM)))
  (setq grove--processes (delq p grove--processes)))

(defun grove--stop-processes ()
  "Stop every process `grove-start' started; wait a little until they are gone."
  (let ((procs grove--processes)
        (deadline (+ (float-time) 2)))
    (mapc #'grove--stop-process procs)
    (while (and (cl-some #'process-live-p procs) (< (float-time) deadline))
      (accept-process-output nil 0.02))
    (dolist (p procs) (delete-process p))
    (setq grove--processes nil)))

(defun grove--clojure-buffer-p ()
  "Non-nil when the current buffer is in a Clojure major mode."
  (or (derived-mode-p 'grove-clojure-mode)
      (memq major-mode '(clojure-mode clojurec-mode clojurescript-mode clojure-ts-mode))))

;;;###autoload
(defun grove-start ()
  "Start a local broker and nodes (`grove-start-nodes') and connect to it.
The processes stop with `grove-stop' and when Emacs exits.  When the
current buffer is a Clojure buffer, `grove-mode' is turned on in it."
  (interactive)
  (grove--require-module)
  (grove-stop)
  (let ((ep (grove--start-broker grove--local-bind)))
    (dolist (spec grove-start-nodes)
      (grove--start-node ep (car spec) (cdr spec)))
    (add-hook 'kill-emacs-hook #'grove--kill-emacs)
    (grove-connect ep)
    (when (and (not grove-mode) (grove--clojure-buffer-p))
      (grove-mode 1))
    (message "Grove: broker on %s, nodes %s" ep
             (mapconcat #'car grove-start-nodes ", "))
    ep))

;;;###autoload
(defun grove-connect (endpoint)
  "Connect to the broker at ENDPOINT (e.g. tcp://127.0.0.1:7887)."
  (interactive (list (read-string (format "Broker endpoint (default %s): " grove-default-endpoint)
                                  nil nil grove-default-endpoint)))
  (grove--open endpoint)
  (when (called-interactively-p 'interactive)
    (message "Grove: connecting to %s" endpoint)))

(defun grove-disconnect ()
  "Disconnect from the broker (the buffers stay in `grove-mode')."
  (interactive)
  (grove--close))

(defun grove-stop ()
  "Disconnect, and stop the broker and nodes `grove-start' started."
  (interactive)
  (grove--close)
  (grove--stop-processes))

;;;; Annotations

(defun grove-remove-annotations ()
  "Remove the values written into the (? ...) forms of the buffer."
  (interactive)
  (save-excursion
    (save-restriction
      (widen)
      (goto-char (point-max))
      (while (re-search-backward grove--query-head-re nil t)
        (let* ((r (grove--query-at (point)))
               (ann (and r (grove--annotation-range (car r) (cdr r)))))
          (when ann
            (let ((b (car ann)))
              (save-excursion
                (goto-char b)
                (skip-chars-backward " \t")
                (delete-region (point) (cdr ann))))))))))

;;;; The mode

(defvar grove-command-map
  (let ((m (make-sparse-keymap)))
    (define-key m "s" #'grove-start)
    (define-key m "c" #'grove-connect)
    (define-key m "d" #'grove-disconnect)
    (define-key m "q" #'grove-stop)
    (define-key m "n" #'grove-nodes)
    (define-key m "h" #'grove-history)
    (define-key m "e" #'grove-eval-on-node)
    (define-key m "v" #'grove-show-value)
    (define-key m "!" #'grove-show-error)
    (define-key m "o" #'grove-show-output)
    (define-key m "i" #'grove-interrupt)
    (define-key m "k" #'grove-remove-annotations)
    m)
  "Keymap of grove's commands, under \\`C-c ;' in `grove-mode'.")

(defvar grove-mode-map
  (let ((m (make-sparse-keymap)))
    (define-key m (kbd "C-c ;") grove-command-map)
    m)
  "Keymap of `grove-mode': its commands are under \\`C-c ;'.")

(easy-menu-define grove-mode-menu grove-mode-map
  "Menu of `grove-mode'."
  '("Grove"
    ["Start local broker and nodes" grove-start]
    ["Connect to a broker..." grove-connect]
    ["Disconnect" grove-disconnect :active grove--session]
    ["Stop (disconnect and stop local nodes)" grove-stop]
    "---"
    ["Nodes" grove-nodes :active grove--session]
    ["History of the query at point" grove-history :active grove--connected]
    ["Full value at point" grove-show-value]
    ["Evaluate form on a node..." grove-eval-on-node :active grove--connected]
    ["Interrupt the editor node" grove-interrupt :active grove--session]
    "---"
    ["Stack trace of the error at point" grove-show-error]
    ["Output of the nodes" grove-show-output]
    ["Remove written values" grove-remove-annotations]
    ["Customize grove" (customize-group 'grove)]))

;;;###autoload
(define-minor-mode grove-mode
  "Live grove values inline in a Clojure buffer.

Every edit goes to grove's module at once; live forms (a top-level
`!' in front) run on the nodes, and each node's value of a (? ...)
form is written into the form, e.g. (? (+ 1 2) #_{:alpha 3}), or shown
after it (`grove-display').  Errors show at the form that raised them.

\\{grove-mode-map}"
  :lighter (:eval (grove--lighter))
  :keymap grove-mode-map
  :group 'grove
  (if grove-mode
      (progn
        (unless (grove--load-module)
          (setq grove-mode nil)
          (user-error "%s" (grove--module-missing-message)))
        (cl-pushnew (current-buffer) grove--mode-buffers)
        (add-hook 'after-change-functions #'grove--after-change nil t)
        (add-hook 'after-revert-hook #'grove--after-revert nil t)
        (add-hook 'kill-buffer-hook #'grove--detach-doc nil t)
        (add-hook 'change-major-mode-hook #'grove--detach-doc nil t)
        (grove--attach-doc))
    (setq grove--mode-buffers (delq (current-buffer) grove--mode-buffers))
    (remove-hook 'after-change-functions #'grove--after-change t)
    (remove-hook 'after-revert-hook #'grove--after-revert t)
    (remove-hook 'kill-buffer-hook #'grove--detach-doc t)
    (remove-hook 'change-major-mode-hook #'grove--detach-doc t)
    (grove--detach-doc)
    (save-restriction
      (widen)
      (dolist (ov (overlays-in (point-min) (point-max)))
        (when (or (overlay-get ov 'grove-target) (overlay-get ov 'grove-error))
          (delete-overlay ov))))
    (setq grove--errors nil)))

;;;###autoload
(defun grove-demo ()
  "Open the checkout's examples/demo.clj in `grove-mode' with local nodes running."
  (interactive)
  (find-file (expand-file-name "examples/demo.clj" grove--root))
  (grove-mode 1)
  (grove-start)
  (let ((w (split-window-below -8)))
    (set-window-buffer w (grove--output-buffer))))

;;;###autoload
(unless (or (fboundp 'clojure-mode) (locate-library "clojure-mode"))
  (add-to-list 'auto-mode-alist '("\\.clj[c]?\\'" . grove-clojure-mode)))

(grove--load-module)

(provide 'grove)
;;; grove.el ends here
