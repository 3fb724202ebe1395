;;; grove-unit-tests.el --- grove.el's pieces that need no broker -*- lexical-binding: t -*-

;;; Commentary:

;; The EDN cutter, the silent rewrite (point, windows, undo), the
;; location of `?' forms and annotations, the fallback major mode, and the
;; lint checks (byte-compilation without warnings, checkdoc).

;;; Code:

(require 'grove-test-helpers)
(require 'checkdoc)

(defconst grove-test--root
  (file-name-directory (directory-file-name grove--lisp-directory))
  "The checkout.")

;;;; EDN

(ert-deftest grove-unit-edn-readable ()
  "Unreadable printed values become readable forms."
  (should (equal (grove-edn-safe "3") "3"))
  (should (equal (grove-edn-safe "{:a 1, :b 2, ...}") "{:a 1, :b 2, ... ...}"))
  (should (equal (grove-edn-safe "[[#]]") "[[...]]"))
  (should (equal (grove-edn-safe "#object[clojure.lang.Atom 0x1 {:val 1}]")
                 "\"#object[clojure.lang.Atom 0x1 {:val 1}]\""))
  (should (equal (grove-edn-safe "a;b") "\"a;b\""))
  (should (equal (grove-edn-safe "#error {\n :cause \"x\"}") "\"#error { :cause \\\"x\\\"}\""))
  (should (equal (grove-edn-safe "#{[#] [#]}") "#{[...]}"))
  (should (equal (grove-edn-safe "##Inf") "##Inf"))
  (should (equal (grove-edn-safe "[1 2") "\"[1 2\""))
  (should (equal (grove-edn-safe "1/0") "\"1/0\""))
  (should (equal (grove-edn-safe "\"a\\nb\"") "\"a\\nb\""))
  (should (equal (grove-edn-safe "\\newline") "\\newline")))

(ert-deftest grove-unit-edn-cut ()
  "Long values are cut to about the width, brackets closed, maps even."
  (let ((v (grove-edn-safe (format "%S" (number-sequence 0 50)) 30)))
    (should (<= (length v) 30))
    (should (string-match-p "\\`(0 1 2 .* \\.\\.\\.)\\'" v)))
  (should (equal (grove-edn-safe "{:aaaa 1, :bbbb 2, :cccc 3, :dddd 4, :eeee 5}" 25)
                 "{:aaaa 1, :bbbb ...}"))
  (should (equal (grove-edn-safe "{:aaaa 1, :bbbb 2, :cccc 3, :dddd 4, :eeee 5}" 28)
                 "{:aaaa 1, :bbbb 2, ... ...}"))
  (should (equal (grove-edn-safe "{:aaaa 1, :bbbb \"a very long string value here\", :cccc 3}" 30)
                 "{:aaaa 1, :bbbb ...}"))
  (should (equal (grove-edn-safe "\"abcdefghijklmnopqrstuvwxyz\"" 12) "\"abcdefg...\""))
  (should (equal (grove-edn-safe "\"ab\\\\\\\\cd\"" 8) "\"ab...\""))
  (should (equal (grove-edn-key "alpha") ":alpha"))
  (should (equal (grove-edn-key "a b") "\"a b\"")))

(ert-deftest grove-unit-edn-reads-back ()
  "Every cut or cleaned value reads back with grove's own reader."
  (let* ((grove (expand-file-name "build/grove" grove-test--root))
         (values '("{:a 1, :b 2, ...}" "[[#]]" "#{1 3 ...}" "#'clojure.core/inc"
                   "#object[x 0x1 \"y\"]" "(0 1 ...)" "\\a" "\"a\\\"b\\nc\"" ":a/b"
                   "#:clojure.error{:source \"x\", :line 1}" "#grove/unprintable \"m\""
                   "{:a {:b {:c [1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16]}}}" "a;b"
                   "#{[#] [#]}" "-0.0" "##NaN" "1.0E300" "[\"x\" \\y #\"z\"]"))
         (file (make-temp-file "grove-edn" nil ".clj")))
    (skip-unless (file-executable-p grove))
    (unwind-protect
        (progn
          (with-temp-file file
            (dolist (v values)
              (dolist (w '(nil 6 10 16 30))
                (insert (format "(println (+ 1 #_%s 1))\n" (grove-edn-safe v w))))))
          (let ((out (with-temp-buffer
                       (list (call-process grove nil t nil "run" file) (buffer-string)))))
            (should (equal (car out) 0))
            (should (equal (cadr out)
                           (apply #'concat (make-list (* 5 (length values)) "2\n"))))))
      (delete-file file))))

;;;; Silent rewrites

(ert-deftest grove-unit-map-pos ()
  "Positions keep their character across a replacement."
  (should (= (grove--map-pos 5 10 10 3) 5))
  (should (= (grove--map-pos 10 10 10 3) 13))
  (should (= (grove--map-pos 12 10 10 3) 15))
  (should (= (grove--map-pos 12 10 14 2) 12))
  (should (= (grove--map-pos 20 10 14 2) 18))
  (should (= (grove--map-end 10 10 10 3) 10))
  (should (= (grove--map-end 11 10 10 3) 14)))

(ert-deftest grove-unit-replace-keeps-point-undo-modified ()
  "`grove--replace' moves no point, records no undo, keeps undo usable."
  (with-temp-buffer
    (buffer-enable-undo)
    (grove-clojure-mode)
    (insert "(? (+ 1 2))")
    (undo-boundary)
    (insert "\n(def x 1)")
    (undo-boundary)
    (set-buffer-modified-p nil)
    (goto-char (point-min))
    (search-forward "(def ")
    (let ((undo-before (length buffer-undo-list))
          (grove-rewrite-keep-unmodified t))
      ;; Insert just before the closing paren of the ? form.
      (grove--replace 11 11 " #_{:a 3}")
      (should (eq (char-after) ?x))
      (should-not (buffer-modified-p))
      (should (= undo-before (length buffer-undo-list)))
      (should (equal (buffer-string) "(? (+ 1 2) #_{:a 3})\n(def x 1)"))
      ;; Replace the annotation with a longer one: point still on `x'.
      (grove--replace 12 20 "#_{:a 333}")
      (should (eq (char-after) ?x))
      (should (equal (buffer-string) "(? (+ 1 2) #_{:a 333})\n(def x 1)"))
      ;; Undo the second user edit: the right text goes away.
      (let ((last-command nil)) (undo))
      (should (equal (buffer-string) "(? (+ 1 2) #_{:a 333})"))
      (let ((last-command 'undo)) (undo))
      (should (equal (buffer-string) "")))))

;; The undo list after rewrites, checked against what undo must give back:
;; the text has [slots] (stand-ins for #_ annotations) that only rewrites
;; change and user edits never enter; undoing the user's edits one group
;; at a time must give back, outside the slots, the text as it was after
;; each earlier group, with every slot holding its latest rewrite.

(defun grove-test--slots (text)
  "TEXT's slot contents, in order."
  (let ((out nil) (i 0))
    (while (string-match "\\[\\([^]]*\\)\\]" text i)
      (push (match-string 1 text) out)
      (setq i (match-end 0)))
    (nreverse out)))

(defun grove-test--skeleton (text)
  "TEXT with its slots emptied."
  (replace-regexp-in-string "\\[[^]]*\\]" "[]" text t t))

(defun grove-test--free-positions ()
  "Positions in this buffer of characters outside slots and brackets."
  (let ((out nil) (depth 0))
    (dotimes (i (buffer-size))
      (let ((c (char-after (1+ i))))
        (cond ((eq c ?\[) (setq depth 1))
              ((eq c ?\]) (setq depth 0))
              ((zerop depth) (push (1+ i) out)))))
    (nreverse out)))

(defun grove-test--random-edit ()
  "A user edit (recorded) outside the slots: insert or delete a few characters."
  (let ((free (grove-test--free-positions)))
    (if (or (null free) (< (random 10) 6))
        ;; insert before a free character, before a `[' or at the end
        (let ((spots (append (list (point-max))
                             free
                             (save-excursion
                               (goto-char (point-min))
                               (let (l) (while (search-forward "[" nil t) (push (1- (point)) l)) l)))))
          (goto-char (if (and (< (random 10) 3) (memq (point) spots)) (point) ; go on typing
                       (nth (random (length spots)) spots)))
          (insert (substring "xyz\nq w" (random 4) (+ 4 (random 4)))))
      ;; delete a run of free characters
      (let* ((p (nth (random (length free)) free))
             (n 1))
        (while (and (< n 3) (memq (+ p n) free) (zerop (random 2))) (setq n (1+ n)))
        (delete-region p (+ p n))))))

(defun grove-test--random-rewrite ()
  "Rewrite a random slot's contents the way grove does (unrecorded)."
  (let ((slots nil))
    (save-excursion
      (goto-char (point-min))
      (while (search-forward "[" nil t)
        (push (cons (point) (1- (search-forward "]"))) slots)))
    (let ((slot (nth (random (length slots)) slots)))
      (grove--replace (car slot) (cdr slot)
                      (substring "#_{:a 12345}" 0 (1+ (random 11)))))))

(ert-deftest grove-unit-undo-after-rewrites-random ()
  "Undo gives back each earlier text, with the latest values, after random rewrites."
  (random "grove-undo")                 ; the same cases every run
  (progn
    (dotimes (_ 300)
      (with-temp-buffer
        (buffer-enable-undo)
        (insert "(a [1] b)\n[22] c [] d\n")
        (setq buffer-undo-list nil)
        (let ((groups (1+ (random 6)))
              (snapshots (list (grove-test--skeleton (buffer-string)))))
          (dotimes (_ groups)
            (dotimes (_ (1+ (random 3)))
              (grove-test--random-edit)
              (when (zerop (random 2)) (grove-test--random-rewrite)))
            (undo-boundary)
            (push (grove-test--skeleton (buffer-string)) snapshots))
          (grove-test--random-rewrite)
          (let ((values (grove-test--slots (buffer-string))))
            (undo-start)
            (undo-more 1)                 ; the boundary at the head
            (dolist (want (cdr snapshots))
              (undo-more 1)
              (should (equal (list (grove-test--skeleton (buffer-string))
                                   (grove-test--slots (buffer-string)))
                             (list want values))))))))))

(ert-deftest grove-unit-undo-older-edit-after-rewrite ()
  "Undoing an old edit below a rewrite, after undoing a newer one above it."
  (with-temp-buffer
    (buffer-enable-undo)
    (grove-clojure-mode)
    (insert "(? (+ 1 2))")
    (undo-boundary)
    (insert "\n(def x 1)")                ; older, after the rewrite point
    (undo-boundary)
    (goto-char (point-min))
    (insert ";; c\n")                     ; newer, before it
    (undo-boundary)
    (grove--replace 16 16 " #_{:a 3}")
    (should (equal (buffer-string) ";; c\n(? (+ 1 2) #_{:a 3})\n(def x 1)"))
    (let ((last-command nil)) (undo))
    (should (equal (buffer-string) "(? (+ 1 2) #_{:a 3})\n(def x 1)"))
    (let ((last-command 'undo)) (undo))
    (should (equal (buffer-string) "(? (+ 1 2) #_{:a 3})"))
    (let ((last-command 'undo)) (undo))
    (should (equal (buffer-string) ""))))

(ert-deftest grove-unit-undo-sequence-goes-on-after-rewrite ()
  "A value written between two undos: the second undo still hits its mark."
  (with-temp-buffer
    (buffer-enable-undo)
    (grove-clojure-mode)
    (insert "(? (+ 1 2))")
    (undo-boundary)
    (insert "\n(def x 1)")
    (undo-boundary)
    (delete-region 1 12)                   ; the ? form is cut
    (undo-boundary)
    (let ((last-command nil)) (undo))      ; and brought back
    (should (equal (buffer-string) "(? (+ 1 2))\n(def x 1)"))
    (let ((last-command 'undo))            ; a value comes before the next undo
      (grove--replace 11 11 " #_{:a 3}"))
    (should (equal (buffer-string) "(? (+ 1 2) #_{:a 3})\n(def x 1)"))
    (let ((last-command 'undo)) (undo))
    (should (equal (buffer-string) "(? (+ 1 2) #_{:a 3})"))
    (let ((last-command 'undo)) (undo))
    (should (equal (buffer-string) ""))))

(ert-deftest grove-unit-undo-walk-stops-at-typing ()
  "Entries from before the rewritten form was typed are left alone."
  (with-temp-buffer
    (buffer-enable-undo)
    (dotimes (i 20) (insert (format "(def x%d %d)\n" i i)) (undo-boundary))
    (let ((older (copy-tree buffer-undo-list)))
      (goto-char (point-min))
      (insert "!(? :k (+ 1 2))\n")
      (undo-boundary)
      (grove--replace 15 15 " #_{:a 3}")
      (should (equal (buffer-substring 1 25) "!(? :k (+ 1 2) #_{:a 3})"))
      ;; They hold places in a text without the form: nothing to move.
      (should (equal (last buffer-undo-list (length older)) older))
      (let ((last-command nil)) (undo))
      (dotimes (_ 20) (let ((last-command 'undo)) (undo)))
      (should (equal (buffer-string) "")))))

(ert-deftest grove-unit-replace-point-at-insertion ()
  "Point on the character before which the text goes stays on it."
  (with-temp-buffer
    (insert "(? x)")
    (goto-char 5)
    (should (eq (char-after) ?\)))
    (grove--replace 5 5 " #_{:a 1}")
    (should (eq (char-after) ?\)))
    (should (equal (buffer-string) "(? x #_{:a 1})"))))

(ert-deftest grove-unit-replace-keeps-window-points ()
  "Every window showing the buffer keeps its point on the same character."
  (let ((buf (generate-new-buffer "grove-win.clj")))
    (unwind-protect
        (save-window-excursion
          (delete-other-windows)
          (switch-to-buffer buf)
          (insert "(? x)\n(def y 2)")
          (let ((w1 (selected-window))
                (w2 (split-window)))
            (set-window-buffer w2 buf)
            (set-window-point w1 5)          ; on the ) where the text goes
            (set-window-point w2 12)         ; on the y
            (goto-char 5)
            (grove--replace 5 5 " #_{:a 1}")
            (should (equal (buffer-string) "(? x #_{:a 1})\n(def y 2)"))
            (should (eq (char-after (window-point w1)) ?\)))
            (should (eq (char-after (window-point w2)) ?y))
            (should (eq (char-after (point)) ?\)))))
      (kill-buffer buf))))

(ert-deftest grove-unit-locate-forms ()
  "? forms, their annotations and line/col positions are found."
  (with-temp-buffer
    (grove-clojure-mode)
    (insert "!(? :a (+ 1 2) #_{:alpha 3})\n(-> x (?> :t) (?>>))\n(? \"s)\" ;; c\n)")
    (should (equal (grove--query-at 2) '(2 . 29)))
    (should (equal (grove--annotation-range 2 29) '(16 . 28)))
    (should (equal (grove--line-col-pos 1 2) 2))
    (should (equal (grove--line-col-pos 2 7) 36))
    (should (equal (grove--query-at 36) '(36 . 43)))
    (should (equal (grove--query-at 44) '(44 . 49)))
    (should-not (grove--annotation-range 36 43))
    (should (grove--query-at (grove--line-col-pos 3 1)))
    (should-not (grove--query-at 1))
    (should-not (grove--line-col-pos 9 1))
    (should-not (grove--line-col-pos 1 200))))

(ert-deftest grove-unit-batch-rewrites-once ()
  "The values a drain brings for one form are written in one rewrite."
  (let* ((buf (generate-new-buffer "grove-batch.clj"))
         (rewrites 0)
         (seen nil)
         (count (lambda (&rest _) (cl-incf rewrites))))
    (unwind-protect
        (with-current-buffer buf
          (grove-clojure-mode)
          (setq-local grove-space "batch")
          (setq grove--doc 'no-module)      ; located by line and column
          (insert "(def a 1)\n!(? :k (+ 1 2))\n")
          (advice-add 'grove--replace :before count '((name . grove-test-count)))
          (cl-letf (((symbol-function 'grove-module--doc-locate) #'ignore))
            (let ((grove--mode-buffers (list buf))
                  (grove-message-functions
                   (list (lambda (msg) (push (cons (alist-get 'node msg) (buffer-string)) seen))))
                  (value (lambda (node v)
                           (json-serialize
                            `((type . "value") (space . "batch") (form . "f") (offset . 1)
                              (query . "k") (line . 2) (col . 2) (node . ,node) (value . ,v)))))
                  (batch (grove--batch-make)))
              (let ((grove--batch batch))
                (dolist (n '("beta" "alpha" "gamma"))
                  (grove--dispatch (funcall value n "3")))
                ;; stored, not written yet; the hook has not run
                (should (= rewrites 0))
                (should-not seen))
              (grove--finish-batch batch)
              (should (= rewrites 1))
              (should (equal (buffer-string)
                             "(def a 1)\n!(? :k (+ 1 2) #_{:alpha 3, :beta 3, :gamma 3})\n"))
              ;; the hook ran for each message, in order, after the rewrite
              (should (equal (mapcar #'car (reverse seen)) '("beta" "alpha" "gamma")))
              (should (cl-every (lambda (s) (string-match-p "#_{:alpha 3, :beta 3, :gamma 3}" (cdr s)))
                                seen))
              ;; outside a batch a value shows at once
              (grove--dispatch (funcall value "beta" "[1 2]"))
              (should (= rewrites 2))
              (should (equal (buffer-string)
                             "(def a 1)\n!(? :k (+ 1 2) #_{:alpha 3, :beta [1 2], :gamma 3})\n")))))
      (advice-remove 'grove--replace 'grove-test-count)
      (with-current-buffer buf (setq grove--doc nil))
      (kill-buffer buf))))

(ert-deftest grove-unit-busy-p ()
  "A value waits while point is in the top-level form around its ? form."
  (with-temp-buffer
    (grove-clojure-mode)
    (insert "(def a 1)\n(defn f [x]\n  (? :k (+ x 1)))\n!(? :t 2)\n(defn g []\n  (? :u 3)")
    (cl-flet ((target (head) (goto-char (point-min))
                      (search-forward head)
                      (let ((b (match-beginning 0)))
                        (make-overlay b (cdr (grove--query-at b)))))
              (busy (pos ov) (goto-char pos) (grove--busy-p ov))
              (at (text &optional after) (goto-char (point-min))
                  (search-forward text)
                  (if after (point) (match-beginning 0))))
      (let ((k (target "(? :k")) (tt (target "(? :t")) (u (target "(? :u"))
            (grove--last-edit (float-time)))
        (should-not (busy (at "(defn f") k))            ; before its bracket
        (should (busy (at "(defn f" t) k))              ; inside the defn
        (should (busy (at "[x]") k))
        (should (busy (at "1)))") k))
        (should (busy (1- (at "1)))" t)) k))            ; before its closing bracket
        (should-not (busy (at "1)))" t) k))             ; after it
        (should-not (busy (at "(def a" t) k))           ; another form
        (should-not (busy (at "!(? :t") tt))            ; the ! before it
        (should-not (busy (at "(? :t") tt))
        (should (busy (at "(? :t" t) tt))               ; a ? form at top level
        (should-not (busy (at "(? :t" t) k))
        (should (busy (point-max) u))                   ; typing a form not closed yet
        (should-not (busy (point-max) k))
        (setq grove--last-edit (- (float-time) grove-rewrite-delay 1))
        (should-not (busy (point-max) u))))))           ; the user paused

(ert-deftest grove-unit-clojure-mode ()
  "The fallback mode parses Clojure: brackets, strings, comments, chars."
  (with-temp-buffer
    (grove-clojure-mode)
    (insert "(defn f [x]\n(let [y {:a \"b]\"}]\n(str x \\) y)))")
    (goto-char (point-min))
    (forward-sexp)
    (should (eobp))
    (indent-region (point-min) (point-max))
    (should (equal (buffer-string)
                   "(defn f [x]\n  (let [y {:a \"b]\"}]\n    (str x \\) y)))"))))

(ert-deftest grove-unit-offline ()
  "Without a session: the lighter says so, commands say how to connect."
  (let ((grove--session nil))
    (should (equal (grove--lighter) " grove[-]"))
    (should-error (grove--send '((type . "nodes"))) :type 'user-error)
    (should (equal (grove-node-ids) nil)))
  (let ((grove-build-directory "/nonexistent/build"))
    (should (string-match-p "build it with `make' in" (grove--module-missing-message)))))

;;;; Lint

(ert-deftest grove-unit-byte-compile-clean ()
  "Every file of lisp/ byte-compiles without a warning."
  (let ((dir (make-temp-file "grove-elc" t)))
    (unwind-protect
        (dolist (f (directory-files grove--lisp-directory t "\\.el\\'"))
          (let* ((copy (expand-file-name (file-name-nondirectory f) dir))
                 (byte-compile-error-on-warn t)
                 (byte-compile-log-warning-function
                  (lambda (msg &rest _) (ert-fail (list f msg)))))
            (copy-file f copy t)
            (let ((load-path (cons dir load-path)))
              (should (byte-compile-file copy)))))
      (delete-directory dir t))))

(ert-deftest grove-unit-checkdoc-clean ()
  "Every file of lisp/ passes checkdoc."
  (dolist (f (directory-files grove--lisp-directory t "\\.el\\'"))
    (let* ((errs nil)
           (checkdoc-create-error-function
            (lambda (text start _end &optional _unfixable)
              (push (format "%s:%d: %s" (file-name-nondirectory f)
                            (line-number-at-pos start) text)
                    errs)
              nil)))
      (with-temp-buffer
        (insert-file-contents f)
        (setq buffer-file-name f)
        (emacs-lisp-mode)
        (checkdoc-current-buffer t)
        (set-buffer-modified-p nil)
        (setq buffer-file-name nil))
      (should (equal (nreverse errs) nil)))))

(provide 'grove-unit-tests)
;;; grove-unit-tests.el ends here
