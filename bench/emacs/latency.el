;;; latency.el --- grove-mode's speed in a real Emacs -*- lexical-binding: t -*-

;; This file is part of grove.  See LICENSE.

;;; Commentary:

;; Run by bench/emacs/run.sh (`make bench'), byte-compiled, in
;; `emacs --batch -Q' with grove.el (byte-compiled too) and the real
;; build/grove-module.so.  It starts a real build/grove-broker and real
;; `build/grove node' processes on loopback (with grove.el's own
;; `grove--start-broker' and `grove--start-node', on a port the broker
;; picks) and measures:
;;
;; - keystroke-to-inline-value latency: the `insert' of the final ")" of a
;;   live form `!(node SEL (? :k (+ 1 N)))' (N new each time, so the value
;;   is new) until the buffer shows the new value: rewrite mode, the
;;   `#_{...}' annotation with every expected node's new value is in the
;;   text; overlay mode, an overlay's after-string has it.  Set-ups: the
;;   editor node only (SEL :editor, no other node connected), one local
;;   node (SEL :n1; rewrite and overlay), ten local nodes (SEL the set of
;;   all ten, every value in).
;; - the parts: module call overhead, incremental reparse (doc-edit of one
;;   char, small and 5,000-line documents), the broker round trip (nodes ->
;;   node-list), display (grove.el's handling of one value message).
;; - typing into a 5,000-line buffer: `insert' of one char with grove-mode
;;   on and off.
;;
;; Output: one line per figure on stdout, "KIND NAME key value key value...",
;; all times in ms unless the key says otherwise; bench/emacs/run.sh turns
;; them into the table.  Progress and problems go to stderr.
;;
;; Timing: `float-time' (the wall clock; Emacs Lisp has no monotonic clock,
;; and the runs are far too short for the clock to be slewed noticeably).
;; A value's arrival is time-stamped inside grove's own message handling
;; (`grove-message-functions' runs right after grove.el displayed the
;; message), not when the waiting loop wakes up; see README.md.

;;; Code:

(require 'cl-lib)
(require 'grove)

(defun gbench--env-int (name default)
  "The integer in environment variable NAME, or DEFAULT."
  (let ((s (getenv name)))
    (if (and s (string-match-p "\\`[0-9]+\\'" s)) (string-to-number s) default)))

(defvar gbench-edits (gbench--env-int "EMACS_BENCH_EDITS" 200)
  "Timed edits per latency set-up.")
(defvar gbench-warmup (gbench--env-int "EMACS_BENCH_WARMUP" 20)
  "Untimed edits before them.")
(defvar gbench-nodes (gbench--env-int "EMACS_BENCH_NODES" 10)
  "Nodes in the last set-up.")
(defvar gbench-keys (gbench--env-int "EMACS_BENCH_KEYS" 300)
  "Keystrokes timed per typing variant.")
(defvar gbench-key-gap (/ (gbench--env-int "EMACS_BENCH_KEY_GAP_MS" 10) 1000.0)
  "Seconds between two timed keystrokes.")
(defvar gbench-pids-file (getenv "EMACS_BENCH_PIDS")
  "Where the ids of the processes started are written (for run.sh's cleanup).")

(defvar gbench-edit-timeout 2.0 "Seconds an edit's value may take before it is lost.")

;;;; Small helpers

(defun gbench--out (fmt &rest args)
  "Print a result line FMT with ARGS on stdout."
  (princ (concat (apply #'format fmt args) "\n")))

(defun gbench--say (fmt &rest args)
  "Print progress FMT with ARGS on stderr."
  (message "emacs-bench: %s" (apply #'format fmt args)))

(defun gbench--now () "The time in ms." (* 1000.0 (float-time)))

(defun gbench--stats (samples)
  "Plist :n :p50 :p99 :mean :max of SAMPLES (ms), nearest-rank percentiles."
  (let* ((v (vconcat (sort (copy-sequence samples) #'<)))
         (n (length v))
         (pct (lambda (p) (if (zerop n) 0.0
                            (aref v (max 0 (min (1- n) (1- (ceiling (* p n 0.01))))))))))
    (list :n n :p50 (funcall pct 50) :p99 (funcall pct 99)
          :mean (if (zerop n) 0.0 (/ (apply #'+ samples) n))
          :max (if (zerop n) 0.0 (aref v (1- n))))))

(defun gbench--fmt-stats (samples &optional prefix)
  "SAMPLES as \"PREFIXp50 X PREFIXp99 X ...\" for a result line."
  (let ((s (gbench--stats samples)) (p (or prefix "")))
    (format "%sn %d %sp50 %.3f %sp99 %.3f %smean %.3f %smax %.3f"
            p (plist-get s :n) p (plist-get s :p50) p (plist-get s :p99)
            p (plist-get s :mean) p (plist-get s :max))))

(defun gbench--median (samples)
  "The median of SAMPLES."
  (plist-get (gbench--stats samples) :p50))

(defun gbench--wait (pred timeout)
  "Let filters and timers run until PRED is non-nil or TIMEOUT seconds passed."
  (let ((deadline (+ (float-time) timeout)) (v nil))
    (while (and (not (setq v (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.0005))
    v))

(defun gbench--pause (seconds)
  "Let filters and timers run for SECONDS."
  (let ((deadline (+ (float-time) seconds)))
    (while (< (float-time) deadline)
      (accept-process-output nil 0.005))))

;;;; Watching grove's message handling

(defvar gbench--filter-at 0.0 "When grove's pipe filter was last entered (ms).")
(defvar gbench--filters 0 "How many times grove's pipe filter ran.")
(defvar gbench--check nil "A predicate: the awaited display is in place.")
(defvar gbench--done-at nil "When `gbench--check' first held (ms).")
(defvar gbench--done-filter nil "When the filter call that made it hold began (ms).")
(defvar gbench--node-list-at nil "When the last node-list arrived (ms).")
(defvar gbench--last-value (make-hash-table :test #'equal)
  "The last value message (an alist) per query.")

(defvar gbench--first-filter nil "When grove's filter first ran after the keystroke (ms).")
(defvar gbench--first-step nil "When `grove--step' first ran after that (ms).")

(defun gbench--filter-mark (&rest _)
  "Note that grove's filter runs (advice before `grove--filter')."
  (setq gbench--filter-at (gbench--now))
  (unless gbench--first-filter (setq gbench--first-filter gbench--filter-at))
  (cl-incf gbench--filters))

(defvar gbench--step-ms 0.0 "Time spent in `grove--step' since the keystroke (ms).")

(defun gbench--step-mark (orig &rest args)
  "Time the editor node's slice ORIG with ARGS (advice around `grove--step')."
  (let ((t0 (gbench--now)))
    (when (and gbench--first-filter (not gbench--first-step))
      (setq gbench--first-step t0))
    (unwind-protect (apply orig args)
      (unless gbench--done-at
        (cl-incf gbench--step-ms (- (gbench--now) t0))))))

(defun gbench--on-msg (msg)
  "Watch MSG after grove.el handled it (on `grove-message-functions')."
  (let ((type (alist-get 'type msg)))
    (cond ((equal type "value") (puthash (alist-get 'query msg) msg gbench--last-value))
          ((equal type "node-list") (setq gbench--node-list-at (gbench--now))))
    (when (and gbench--check (not gbench--done-at) (funcall gbench--check))
      (setq gbench--done-at (gbench--now)
            gbench--done-filter gbench--filter-at))))

(defun gbench--settle (quiet-ms max-s)
  "Wait until grove's filter has not run for QUIET-MS (at most MAX-S seconds)."
  (let ((deadline (+ (float-time) max-s)))
    (setq gbench--filter-at (gbench--now))
    (while (and (< (float-time) deadline)
                (< (- (gbench--now) gbench--filter-at) quiet-ms))
      (accept-process-output nil 0.005))))

;;;; Processes

(defun gbench--note-pid (p)
  "Append the id of process P to `gbench-pids-file'."
  (when (and gbench-pids-file (process-id p))
    (write-region (format "%d\n" (process-id p)) nil gbench-pids-file t 'silent))
  p)

(defun gbench--start-nodes (ep from to)
  "Start nodes nFROM..nTO on broker EP and wait until grove lists them."
  (cl-loop for i from from to to
           do (gbench--note-pid (grove--start-node ep (format "n%d" i) nil)))
  (let ((want (cl-loop for i from 1 to to collect (format "n%d" i))))
    (or (gbench--wait (lambda ()
                        (unless (cl-subsetp want (grove-node-ids) :test #'equal)
                          ;; ask again: a node's hello may cross our request
                          (when (> (- (gbench--now) (or gbench--node-list-at 0)) 200)
                            (setq gbench--node-list-at (gbench--now))
                            (grove--send '((type . "nodes"))))
                          nil)
                        (cl-subsetp want (grove-node-ids) :test #'equal))
                      15)
        (error "Nodes %s did not all join (grove lists %S)" want (grove-node-ids)))))

;;;; Buffers

(defun gbench--buffer (space &optional text no-mode)
  "A fresh grove buffer for program SPACE holding TEXT; NO-MODE: not in grove-mode."
  (let ((b (generate-new-buffer (concat space ".clj"))))
    (with-current-buffer b
      (grove-clojure-mode)
      (setq-local grove-space space)
      (unless no-mode (grove-mode 1))
      (when text (insert text))
      (goto-char (point-max)))
    b))

(defun gbench--drop-buffer (b)
  "Withdraw B's program from the nodes (empty it) and kill B."
  (when (buffer-live-p b)
    (with-current-buffer b
      (erase-buffer)
      (set-buffer-modified-p nil))
    (kill-buffer b)))

(defun gbench--big-text (blocks)
  "A grove program of BLOCKS 10-line blocks: a comment and a defn each.
Every 50th block (K = 25, 75, ...) has a live (? ...) form on node n1
instead of the blank line."
  (let ((parts nil))
    (dotimes (k blocks)
      (push (format ";; block %d: helper number %d
(defn f%d
  \"Docstring of f%d.\"
  [x y]
  (let [a (* x %d)
        b (+ y %d)]
    (if (> a b)
      (- a b)
      (+ a b))))
%s\n" k k k k k k (if (= (% k 50) 25) (format "!(node :n1 (? :q%d (f%d 1 2)))" k k) ""))
            parts))
    (apply #'concat (nreverse parts))))

;;;; Keystroke to inline value

(defun gbench--expected (nodes value display)
  "The text the display of VALUE from every one of NODES contains."
  (let ((m (concat "{" (mapconcat (lambda (n) (format ":%s %d" n value))
                                  (sort (copy-sequence nodes) #'string<) ", ")
                   "}")))
    (if (eq display 'rewrite) (concat "#_" m) m)))

(defun gbench--shown-p (buf expected display)
  "Non-nil when BUF shows EXPECTED (see `gbench--expected') in DISPLAY mode."
  (with-current-buffer buf
    (if (eq display 'rewrite)
        (save-excursion (goto-char (point-min)) (search-forward expected nil t))
      (cl-some (lambda (o) (let ((s (overlay-get o 'after-string)))
                             (and s (string-search expected s))))
               (overlays-in (point-min) (point-max))))))

(defun gbench--latency (name selector nodes display)
  "Time keystroke-to-value edits of a form on SELECTOR, shown from NODES.
Print a \"lat NAME\" line.  DISPLAY is `rewrite' or `overlay'."
  (gbench--say "latency %s (%s)" name display)
  (let* ((grove-display display)
         (buf (gbench--buffer (format "gbench-%s-%s" name display)))
         (total nil) (ins nil) (wire nil) (show nil) (filters nil) (first nil) (step nil)
         (steps nil) (first-any nil)
         (lost 0)
         (gcs gcs-done) (gc-time gc-elapsed)
         (first-ok nil))
    (with-current-buffer buf
      (insert (format "!(node %s (? :k (+ 1 0)))\n" selector))
      (let ((e (gbench--expected nodes 1 display)))
        (setq first-ok (gbench--wait (lambda () (gbench--shown-p buf e display)) 10))))
    (if (not first-ok)
        (progn (gbench--out "lat %s display %s failed the first value never showed" name display)
               (gbench--say "%s: buffer %S" name (with-current-buffer buf (buffer-string))))
      (gbench--settle 50 2)
      (dotimes (i (+ gbench-warmup gbench-edits))
        (let* ((n (1+ i))
               (expected (gbench--expected nodes (1+ n) display))
               t0 t1 f0)
          (with-current-buffer buf
            ;; break the form (delete its last paren) and change N: the
            ;; module skips a form that does not parse, nothing is sent
            (goto-char (1- (point-max)))
            (delete-char -1)
            (goto-char (point-min))
            (re-search-forward "(\\+ 1 \\([0-9]+\\))")
            (replace-match (number-to-string n) t t nil 1)
            (goto-char (1- (point-max)))
            (setq gbench--check (lambda () (gbench--shown-p buf expected display))
                  gbench--done-at nil gbench--done-filter nil
                  gbench--first-filter nil gbench--first-step nil gbench--step-ms 0.0
                  f0 gbench--filters)
            ;; the keystroke: type the closing paren, point after it
            (setq t0 (gbench--now))
            (insert ")")
            (setq t1 (gbench--now)))
          (gbench--wait (lambda ()
                          (or gbench--done-at
                              ;; shown some other way than by a message
                              ;; (a timer): noticed here, less precisely
                              (and (funcall gbench--check)
                                   (setq gbench--done-at (gbench--now)))))
                        gbench-edit-timeout)
          (setq gbench--check nil)
          (when (>= i gbench-warmup)
            (if (not gbench--done-at)
                (cl-incf lost)
              (push (- gbench--done-at t0) total)
              (push (- t1 t0) ins)
              (push (- gbench--filters f0) filters)
              (push gbench--step-ms steps)
              (when gbench--first-filter (push (- gbench--first-filter t1) first-any))
              (when gbench--done-filter
                (push (- gbench--done-filter t1) wire)
                (push (- gbench--done-at gbench--done-filter) show))
              (when (and gbench--first-filter gbench--first-step
                         (< gbench--first-step (or gbench--done-filter 0)))
                (push (- gbench--first-filter t1) first)
                (push (- gbench--first-step gbench--first-filter) step)))))))
    (when first-ok
      (gbench--out "lat %s display %s %s lost %d insert_p50 %.3f wire_p50 %.3f show_p50 %.3f show_p99 %.3f filters_p50 %d first_filter_p50 %.3f editor_step_p50 %.3f gcs %d gc_ms %.1f"
                   name display (gbench--fmt-stats total) lost
                   (gbench--median ins) (gbench--median wire) (gbench--median show)
                   (plist-get (gbench--stats show) :p99)
                   (round (gbench--median filters))
                   (gbench--median first-any) (gbench--median steps)
                   (- gcs-done gcs) (* 1000 (- gc-elapsed gc-time)))
      ;; the editor node: the program change reaches Emacs (first filter
      ;; call), then the node runs from `grove--step''s timer
      (when (and (equal selector ":editor") step)
        (gbench--out "editor %s delta_p50 %.3f step_wait_p50 %.3f step_wait_p99 %.3f"
                     name (gbench--median first) (gbench--median step)
                     (plist-get (gbench--stats step) :p99)))
      (gbench--say "%s: %s" name (with-current-buffer buf
                                   (string-trim (buffer-substring-no-properties
                                                 (point-min) (min (point-max) 200)))))
      (gbench--drop-buffer buf))))

;;;; Parts

(defun gbench--per-call-ns (n fn)
  "Nanoseconds per call of FN, over N calls (the loop's own cost included)."
  (garbage-collect)
  (let ((t0 (float-time)))
    (dotimes (_ n) (funcall fn))
    (/ (* 1e9 (- (float-time) t0)) n)))

(defun gbench--calls ()
  "Module call overhead: trivial module calls in a loop, beside elisp ones."
  (let* ((n 200000)
         (s grove--session)
         (empty (gbench--per-call-ns n #'ignore))
         (version (gbench--per-call-ns n #'grove-module--version))
         (drain (gbench--per-call-ns (/ n 10) (lambda () (grove-module--drain s)))))
    (gbench--out "part calls n %d ignore_ns %.0f version_ns %.0f drain_ns %.0f" n empty version drain)))

(defun gbench--round-trip (n)
  "N `nodes' requests through the module to the broker and back to grove.el."
  (let ((json (json-serialize '((v . 1) (type . "nodes")))) (rt nil))
    (dotimes (i (+ n 10))
      (setq gbench--node-list-at nil)
      (let ((t0 (gbench--now)))
        (grove-module--send grove--session json)
        (when (gbench--wait (lambda () gbench--node-list-at) 2)
          (when (>= i 10) (push (- gbench--node-list-at t0) rt)))))
    (gbench--out "part rt %s" (gbench--fmt-stats rt))))

(defun gbench--doc-edits (name doc text needle n)
  "Time N one-char edits of DOC (holding TEXT) just after NEEDLE, directly.
Each is an insert of \"x\" then its delete, so DOC's text is TEXT again
after each pair (its buffer is not touched; nothing runs in between)."
  (let ((p (+ 1 (string-search needle text) (length needle)))
        (v nil))
    (dotimes (i (+ n 10))
      (let ((t0 (gbench--now)))
        (grove-module--doc-edit doc p (1+ p) 0 "x")
        (let ((t1 (gbench--now)))
          (grove-module--doc-edit doc p p 1 "")
          (when (>= i 10)
            (push (- t1 t0) v)
            (push (- (gbench--now) t1) v)))))
    (gbench--out "part parse_%s %s" name (gbench--fmt-stats v))))

(defun gbench--reparse (name buf)
  "Time one-char doc-edits in BUF's document: in a comment and in a docstring."
  (with-current-buffer buf
    (let ((text (buffer-substring-no-properties (point-min) (point-max)))
          (k (if (> (buffer-size) 10000) 260 1)))
      ;; a comment: reparse and rescan, nothing to send
      (gbench--doc-edits (format "%s_comment" name) grove--doc text
                         (format ";; block %d: helper" k) 200)
      ;; a docstring: the form's hash changes, a push goes out
      (gbench--doc-edits (format "%s_form" name) grove--doc text
                         (format "\"Docstring of f%d" k) 200)))
  (gbench--settle 100 5))

(defun gbench--display (name buf query n)
  "Time grove.el's handling of N value messages for QUERY shown in BUF.
Replays the last real value message of QUERY with a new value each
time: `grove--on-value' (locate, store, rewrite), then `grove--dispatch'
on the JSON text (json parse as well, and the message hooks)."
  (let ((msg (gethash query gbench--last-value)) (on nil) (disp nil))
    (if (not msg)
        (gbench--out "part show_%s failed no value message for %s" name query)
      (with-current-buffer buf (goto-char (point-max)))
      (dotimes (i (+ n 10))
        (let ((m (copy-alist msg)))
          (setf (alist-get 'value m) (format "%d" (+ 100000 i)))
          (let ((t0 (gbench--now)))
            (grove--on-value m)
            (when (>= i 10) (push (- (gbench--now) t0) on)))))
      (dotimes (i (+ n 10))
        (let ((m (copy-alist msg)))
          (setf (alist-get 'value m) (format "%d" (+ 200000 i)))
          (let ((json (json-serialize m)) (t0 (gbench--now)))
            (grove--dispatch json)
            (when (>= i 10) (push (- (gbench--now) t0) disp)))))
      (unless (gbench--shown-p buf (format ":n1 %d" (+ 200000 n 9)) 'rewrite)
        (gbench--say "show_%s: the replayed value is not in the buffer" name))
      (gbench--out "part show_%s %s" name (gbench--fmt-stats on))
      (gbench--out "part dispatch_%s %s" name (gbench--fmt-stats disp)))))

;;;; Typing into a big buffer

(defun gbench--typing (on-buf off-buf)
  "Time `insert' of one char in ON-BUF (grove-mode) and OFF-BUF (not).
Alternating blocks of 50 keystrokes, `gbench-keys' per variant, 4 ms
apart (filters and timers run between keystrokes, untimed).  Variants:
off; on, typing in a docstring (each key sends a push); on, in a comment."
  (let ((times (list (cons 'off nil) (cons 'on nil) (cons 'on_comment nil)))
        (cpu (list (cons 'off 0.0) (cons 'on 0.0) (cons 'on_comment 0.0)))
        (spots (list (cons 'off "\"Docstring of f250") (cons 'on "\"Docstring of f250")
                     (cons 'on_comment ";; block 270: helper")))
        (gcs (list (cons 'off 0) (cons 'on 0) (cons 'on_comment 0)))
        (rounds (max 1 (/ gbench-keys 50))))
    (dolist (v '(off on on_comment))
      (with-current-buffer (if (eq v 'off) off-buf on-buf)
        (goto-char (point-min))
        (search-forward (cdr (assq v spots)))
        (setf (alist-get v spots) (point-marker))))
    (dotimes (_ rounds)
      (dolist (v '(off on on_comment))
        (let ((buf (if (eq v 'off) off-buf on-buf))
              (c0 (float-time (get-internal-run-time)))
              (g0 gcs-done))
          (with-current-buffer buf
            (dotimes (_ 50)
              (goto-char (alist-get v spots))
              (let ((t0 (gbench--now)))
                (insert "x")
                (push (- (gbench--now) t0) (alist-get v times)))
              (set-marker (alist-get v spots) (point))
              (gbench--pause gbench-key-gap)))
          (gbench--settle 20 2)
          (cl-incf (alist-get v cpu) (- (float-time (get-internal-run-time)) c0))
          (cl-incf (alist-get v gcs) (- gcs-done g0)))))
    (dolist (v '(off on on_comment))
      (gbench--out "type %s %s cpu_per_key %.3f gcs %d"
                   v (gbench--fmt-stats (alist-get v times))
                   (/ (* 1000 (alist-get v cpu)) (* rounds 50))
                   (alist-get v gcs)))))

;;;; Main

(defun gbench-main ()
  "Run everything and exit."
  (setq native-comp-deferred-compilation nil)
  (add-hook 'grove-message-functions #'gbench--on-msg)
  (advice-add 'grove--filter :before #'gbench--filter-mark)
  (advice-add 'grove--step :around #'gbench--step-mark)
  (let ((grove-start-heartbeat 1000)
        (t-start (float-time))
        ep)
    (unwind-protect
        (progn
          (gbench--out "info emacs %s module %s lisp %s"
                       emacs-version (grove-module--version)
                       (if (byte-code-function-p (symbol-function 'grove--render))
                           "byte-compiled" "interpreted"))
          (setq ep (grove--start-broker grove--local-bind))
          (gbench--note-pid (car grove--processes))
          (gbench--say "broker on %s" ep)
          (grove-connect ep)
          (unless (gbench--wait (lambda () grove--connected) 10)
            (error "Not connected to %s" ep))
          ;; 1. the editor node alone
          (gbench--latency "editor" ":editor" '("editor") 'rewrite)
          ;; 2. one local node
          (gbench--start-nodes ep 1 1)
          (gbench--latency "n1" ":n1" '("n1") 'rewrite)
          (gbench--latency "n1" ":n1" '("n1") 'overlay)
          ;; the parts, with one node connected
          (gbench--calls)
          (gbench--round-trip 200)
          (let ((small (gbench--buffer "gbench-small"
                                       (concat (gbench--big-text 2)
                                               "!(node :n1 (? :k (+ 1 2)))\n")))
                (text (gbench--big-text 500)))
            (gbench--wait (lambda () (gbench--shown-p small "#_{:n1 3}" 'rewrite)) 5)
            (gbench--settle 50 2)
            (gbench--reparse "small" small)
            (gbench--display "small" small "k" 200)
            (gbench--drop-buffer small)
            (let* ((t0 (gbench--now))
                   (big (gbench--buffer "gbench-big" text))
                   (t1 (gbench--now))
                   (off (gbench--buffer "gbench-big-off" text t)))
              (gbench--out "part open_big lines %d ms %.1f" (with-current-buffer big
                                                               (count-lines (point-min) (point-max)))
                           (- t1 t0))
              ;; the program's 10 live forms show their values, the nodes
              ;; (n1 and the editor) have evaluated its 500 defns
              (gbench--wait (lambda () (cl-every (lambda (k) (gethash (format "q%d" k) gbench--last-value))
                                                 (number-sequence 25 475 50)))
                            20)
              (gbench--settle 300 20)
              (gbench--reparse "big" big)
              (gbench--display "big" big "q275" 200)
              (gbench--settle 100 5)
              (gbench--typing big off)
              (kill-buffer off)
              (gbench--drop-buffer big)
              (gbench--settle 300 10)))
          ;; 3. ten local nodes
          (gbench--start-nodes ep 2 gbench-nodes)
          (gbench--settle 200 10)
          (gbench--latency (format "n%d" gbench-nodes)
                           (concat "#{" (mapconcat (lambda (i) (format ":n%d" i))
                                                   (number-sequence 1 gbench-nodes) " ")
                                   "}")
                           (mapcar (lambda (i) (format "n%d" i)) (number-sequence 1 gbench-nodes))
                           'rewrite)
          (gbench--out "info caught %d seconds %.1f" grove--caught-count (- (float-time) t-start)))
      (grove-stop))
    (when (and (> grove--caught-count 0) (get-buffer " *grove-log*"))
      (gbench--say "grove's log:\n%s" (with-current-buffer " *grove-log*" (buffer-string))))))

(provide 'latency)
;;; latency.el ends here
