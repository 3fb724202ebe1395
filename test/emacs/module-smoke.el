;;; module-smoke.el --- smoke test of build/grove-module.so  -*- lexical-binding: t; -*-

;; Run: emacs --batch -Q -l test/emacs/module-smoke.el
;; (from the checkout's root, after `make').
;;
;; Loads the module and checks, without lisp/grove.el: the version;
;; `grove-error' for every kind of bad argument (wrong types, a closed
;; session or document, a user-ptr of the other kind, edits that do not
;; fit the text); open/close without a broker (an eval then gets a local
;; error result through the pipe process); documents (reset, edit,
;; forms, locate) with multibyte text; user-ptrs surviving close and GC.
;; When build/grove-broker exists it also connects to a real broker:
;; connection and node-list messages, a value from the editor node, and a
;; runaway loop on the editor node stopped by `quit-flag' during
;; `grove-module--step'.
;;
;; Prints "module-smoke: N passed, M failed" and exits non-zero on failure.

;;; Code:

(defvar smoke-root
  (expand-file-name ".." (file-name-directory
                          (directory-file-name
                           (file-name-directory (or load-file-name buffer-file-name))))))
(defvar smoke-pass 0)
(defvar smoke-fail 0)

(defmacro smoke-check (name form)
  "Count FORM (non-nil: pass) under NAME."
  `(condition-case err
       (if ,form
           (setq smoke-pass (1+ smoke-pass))
         (setq smoke-fail (1+ smoke-fail))
         (message "FAIL %s" ,name))
     (error (setq smoke-fail (1+ smoke-fail))
            (message "FAIL %s: signalled %S" ,name err))))

(defmacro smoke-signals (name form &optional regexp)
  "Check that FORM signals `grove-error' (message matching REGEXP)."
  `(condition-case err
       (progn ,form
              (setq smoke-fail (1+ smoke-fail))
              (message "FAIL %s: no error" ,name))
     (grove-error
      (if (or (null ,regexp) (string-match-p ,regexp (error-message-string err)))
          (setq smoke-pass (1+ smoke-pass))
        (setq smoke-fail (1+ smoke-fail))
        (message "FAIL %s: message %S" ,name (error-message-string err))))
     (error (setq smoke-fail (1+ smoke-fail))
            (message "FAIL %s: another error %S" ,name err))))

(defun smoke-pipe ()
  "A pipe process whose output is collected."
  (make-pipe-process :name "grove-smoke" :noquery t :coding 'binary
                     :filter (lambda (_p _s) nil)))

(defun smoke-wait-for (session pipe pred &optional seconds)
  "Drain SESSION until a message satisfies PRED (within SECONDS); return it."
  (let ((deadline (+ (float-time) (or seconds 5)))
        found)
    (while (and (not found) (< (float-time) deadline))
      (accept-process-output pipe 0.05)
      (grove-module--step session 5)
      (dolist (m (grove-module--drain session))
        (let ((msg (json-parse-string m :object-type 'alist)))
          (when (and (not found) (funcall pred msg)) (setq found msg)))))
    found))

(defun smoke-free-port ()
  "A TCP port nobody listens on (probably), below the ephemeral range."
  (+ 20000 (random 12000)))

;;; Loading

(module-load (expand-file-name "build/grove-module.so" smoke-root))
(smoke-check "feature" (featurep 'grove-module))
(smoke-check "version" (equal (grove-module--version) "0.1.0"))
(smoke-check "grove-error is an error" (memq 'error (get 'grove-error 'error-conditions)))

;;; Opening with bad arguments

(let ((pipe (smoke-pipe)))
  (smoke-signals "open: endpoint not a string" (grove-module--open 42 nil nil pipe) "ENDPOINT")
  (smoke-signals "open: node id not a string" (grove-module--open "tcp://127.0.0.1:1" 'x nil pipe) "NODE-ID")
  (smoke-signals "open: context not a string" (grove-module--open "tcp://127.0.0.1:1" nil 3 pipe) "CONTEXT")
  (smoke-signals "open: no pipe" (grove-module--open "tcp://127.0.0.1:1" nil nil nil) "pipe process")
  (smoke-signals "open: a buffer for a pipe" (grove-module--open "tcp://127.0.0.1:1" nil nil (current-buffer)) "pipe process")
  (smoke-signals "open: bad endpoint" (grove-module--open "nonsense://x" nil nil pipe) "nonsense")
  (smoke-signals "open: context not a map" (grove-module--open "tcp://127.0.0.1:1" nil "[1 2]" pipe) "map")
  (smoke-signals "open: empty node id" (grove-module--open "tcp://127.0.0.1:1" ":" nil pipe) "empty")
  (let ((dead (smoke-pipe)))
    (delete-process dead)
    (smoke-signals "open: dead pipe" (grove-module--open "tcp://127.0.0.1:1" nil nil dead) "pipe process"))
  (delete-process pipe))

;;; A session without a broker

(let* ((pipe (smoke-pipe))
       (ep (format "tcp://127.0.0.1:%d" (smoke-free-port)))
       (s (grove-module--open ep "editor" "{:region :test}" pipe))
       (s2 (grove-module--open ep ":other" nil pipe)))
  (smoke-check "open returns a user-ptr" (user-ptrp s))
  (smoke-check "second session" (user-ptrp s2))
  (smoke-check "drain: nothing yet" (null (grove-module--drain s)))
  (smoke-check "step returns a float" (floatp (grove-module--step s 5)))
  (smoke-check "step with an integer budget" (floatp (grove-module--step s 0)))
  (smoke-signals "step: budget not a number" (grove-module--step s "5") "BUDGET-MS")
  (smoke-signals "step: negative budget" (grove-module--step s -1) "BUDGET-MS")
  (smoke-signals "drain: not a session" (grove-module--drain 'x) "not a grove session")
  (smoke-signals "send: not JSON" (grove-module--send s "{oops") "JSON")
  (smoke-signals "send: not an object" (grove-module--send s "[1]") "JSON object")
  (smoke-signals "send: unknown type" (grove-module--send s "{\"type\":\"frobnicate\"}") "bad-type")
  (smoke-signals "send: missing field" (grove-module--send s "{\"type\":\"history\"}") "bad-field")
  (smoke-signals "send: not a string" (grove-module--send s 5) "JSON-STRING")
  (smoke-check "send: nodes" (eq t (grove-module--send s "{\"type\":\"nodes\"}")))
  ;; an eval cannot go out: a local error result comes back through the pipe
  (smoke-check "send: eval" (eq t (grove-module--send
                                   s "{\"v\":1,\"type\":\"eval\",\"req\":\"r1\",\"node\":\"alpha\",\"code\":\"(+ 1 2)\"}")))
  (let ((r (smoke-wait-for s pipe (lambda (m) (equal (alist-get 'type m) "result")) 3)))
    (smoke-check "unsent eval: result error via the pipe"
                 (and r (equal (alist-get 'req r) "r1") (equal (alist-get 'status r) "error"))))

  ;; documents
  (let ((d (grove-module--doc-new s "user" "/tmp/smoke.clj"))
        (text "(def é 1)\n! (do (? :x (+ é 2)) (? :y é))\n"))
    (smoke-check "doc-new returns a user-ptr" (user-ptrp d))
    (smoke-signals "doc-new: space not a string" (grove-module--doc-new s nil nil) "SPACE")
    (smoke-signals "doc-new: empty space" (grove-module--doc-new s "" nil) "empty")
    (smoke-signals "doc-new: file not a string" (grove-module--doc-new s "user" 7) "FILE")
    (smoke-signals "doc-new: doc as session" (grove-module--doc-new d "user" nil) "not a grove session")
    (smoke-signals "doc-reset: session as doc" (grove-module--doc-reset s "x") "not a grove document")
    (smoke-signals "doc-reset: text not a string" (grove-module--doc-reset d nil) "TEXT")
    (smoke-check "doc-reset" (null (grove-module--doc-reset d text)))
    (let ((forms (grove-module--doc-forms d)))
      (smoke-check "doc-forms" (and (= (length forms) 2)
                                    (equal (car (nth 0 forms)) "def:é")
                                    (equal (cdr (nth 0 forms)) '(nil 1 10))
                                    (eq (nth 1 (nth 1 forms)) t)
                                    (= (nth 2 (nth 1 forms)) 13))))
    ;; the same edits through a real buffer's after-change arguments
    (with-temp-buffer
      (insert text)
      (let ((id (car (nth 1 (grove-module--doc-forms d))))
            ok)
        (add-hook 'after-change-functions
                  (lambda (beg end old)
                    (grove-module--doc-edit d beg end old (buffer-substring-no-properties beg end)))
                  nil t)
        (goto-char (point-min))
        (search-forward "(? :x (+ é 2)")
        (insert " #_{:alpha 3, :béta 3}")
        (goto-char (point-min))
        (search-forward "1)")
        (delete-char -2)
        (insert "42)")
        (setq ok (equal (buffer-string) "(def é 42)\n! (do (? :x (+ é 2) #_{:alpha 3, :béta 3}) (? :y é))\n"))
        (smoke-check "buffer edits" ok)
        ;; locate (? :y ...) by its offset in the text as sent: 26 bytes
        ;; into "(do (? :x (+ é 2)) (? :y é))"
        (let* ((loc (grove-module--doc-locate d id (string-bytes "(do (? :x (+ é 2)) ")))
               (y (save-excursion (goto-char (point-min)) (search-forward "(? :y") (- (point) 5))))
          (smoke-check "locate :y" (and loc (= (nth 0 loc) y) (= (nth 1 loc) (+ y 8))
                                        (null (nth 2 loc)) (null (nth 3 loc)))))
        (let* ((loc (grove-module--doc-locate d id (string-bytes "(do ")))
               (ann (save-excursion (goto-char (point-min)) (search-forward "#_{") (- (point) 3))))
          (smoke-check "locate :x with annotation"
                       (and loc (= (nth 2 loc) ann)
                            (equal (buffer-substring (nth 2 loc) (nth 3 loc)) "#_{:alpha 3, :béta 3}")
                            (equal (buffer-substring (nth 0 loc) (nth 1 loc))
                                   "(? :x (+ é 2) #_{:alpha 3, :béta 3})"))))
        (smoke-check "locate: unknown id" (null (grove-module--doc-locate d "h:0" 0)))
        (smoke-check "locate: negative offset" (null (grove-module--doc-locate d id -1)))
        (smoke-signals "locate: id not a string" (grove-module--doc-locate d 1 0) "FORM-ID")
        (smoke-signals "locate: offset not an integer" (grove-module--doc-locate d id 1.5) "OFFSET")
        ;; malformed code while typing: never an error
        (goto-char (point-max))
        (insert "(defn broken [x")
        (smoke-check "typing broken code" (= (length (grove-module--doc-forms d)) 2))))
    (smoke-signals "doc-edit: BEG not an integer" (grove-module--doc-edit d "1" 1 0 "") "BEG")
    (smoke-signals "doc-edit: bignum" (grove-module--doc-edit d (expt 2 80) 1 0 "") "BEG")
    (smoke-signals "doc-edit: past the end" (grove-module--doc-edit d 10000 10000 0 "") "does not fit")
    (smoke-signals "doc-edit: END mismatch" (grove-module--doc-edit d 1 5 0 "ab") "END")
    (smoke-signals "doc-edit: TEXT not a string" (grove-module--doc-edit d 1 1 0 nil) "TEXT")

    ;; closing the session: the doc refuses edits but can still be read
    (smoke-check "close" (null (grove-module--close s)))
    (smoke-check "close again" (null (grove-module--close s)))
    (smoke-signals "drain after close" (grove-module--drain s) "closed")
    (smoke-signals "step after close" (grove-module--step s 1) "closed")
    (smoke-signals "send after close" (grove-module--send s "{\"type\":\"nodes\"}") "closed")
    (smoke-signals "doc-new after close" (grove-module--doc-new s "user" nil) "closed")
    (smoke-signals "doc-edit after session close" (grove-module--doc-edit d 1 1 0 "") "session is closed")
    (smoke-signals "doc-reset after session close" (grove-module--doc-reset d "") "session is closed")
    (smoke-check "doc-forms after session close" (= (length (grove-module--doc-forms d)) 2))
    (smoke-check "doc-close" (null (grove-module--doc-close d)))
    (smoke-check "doc-close again" (null (grove-module--doc-close d)))
    (smoke-signals "doc-forms after close" (grove-module--doc-forms d) "document is closed")
    (smoke-signals "doc-locate after close" (grove-module--doc-locate d "x" 0) "document is closed"))

  ;; the other session: a document left open, both dropped to the GC
  (grove-module--doc-new s2 "other" nil)
  (setq s2 nil)
  (garbage-collect)
  (smoke-check "survived GC of an open session" t)
  (delete-process pipe))

;;; With a real broker (when built)

(let ((broker (expand-file-name "build/grove-broker" smoke-root)))
  (when (file-executable-p broker)
    (let* ((port (smoke-free-port))
           (ep (format "tcp://127.0.0.1:%d" port))
           (bp (start-process "smoke-broker" nil broker "--bind" ep "--quiet"))
           (pipe (smoke-pipe))
           (s (grove-module--open ep nil nil pipe)))
      (unwind-protect
          (progn
            (smoke-check "connected" (smoke-wait-for s pipe (lambda (m) (equal (alist-get 'state m) "connected")) 5))
            (grove-module--send s "{\"type\":\"nodes\"}")
            (smoke-check "node-list lists the editor"
                         (smoke-wait-for s pipe (lambda (m) (and (equal (alist-get 'type m) "node-list")
                                                                 (seq-some (lambda (n) (equal (alist-get 'id n) "editor"))
                                                                           (alist-get 'nodes m))))
                                         3))
            ;; a value from the editor node itself, through the broker
            (let ((d (grove-module--doc-new s "smoke" nil)))
              (grove-module--doc-reset d "! (? :sum (+ 1 2))\n")
              (let ((v (smoke-wait-for s pipe (lambda (m) (equal (alist-get 'type m) "value")) 5)))
                (smoke-check "value from the editor node"
                             (and v (equal (alist-get 'value v) "3") (equal (alist-get 'node v) "editor"))))
              ;; a runaway loop, stopped by quit-flag during step
              (let ((ins "! (loop [] (recur))\n"))
                (grove-module--doc-edit d 20 (+ 20 (length ins)) 0 ins))
              (let ((deadline (+ (float-time) 3)) (busy nil))
                (while (and (not busy) (< (float-time) deadline))
                  (accept-process-output pipe 0.02)
                  (grove-module--drain s)
                  (setq busy (= 0.0 (grove-module--step s 20))))
                (smoke-check "the loop keeps the node busy" busy)
                (let ((t0 (float-time)) w)
                  (let ((inhibit-quit t))
                    (setq quit-flag t)
                    (setq w (grove-module--step s 500))
                    (setq quit-flag nil))
                  (smoke-check "quit-flag ends the step early" (< (- (float-time) t0) 0.25))
                  (smoke-check "step still returns a number" (numberp w)))
                ;; the loop is gone: the node is idle again
                (let ((idle 0))
                  (dotimes (_ 5)
                    (accept-process-output pipe 0.02)
                    (grove-module--drain s)
                    (when (> (grove-module--step s 20) 0) (setq idle (1+ idle))))
                  (smoke-check "the interrupted loop has stopped" (= idle 5))))
              (grove-module--doc-close d)))
        (grove-module--close s)
        (delete-process bp)
        (delete-process pipe)))))

(message "module-smoke: %d passed, %d failed" smoke-pass smoke-fail)
(kill-emacs (if (zerop smoke-fail) 0 1))

;;; module-smoke.el ends here
