(defn tokenize [s]
  (re-seq #"\d+|[a-zA-Z]+|[+*/()-]" s))
(prn (tokenize "x1 + 23*(foo-4)"))
(defn classify [t] (cond (re-matches #"\d+" t) [:num (parse-long t)]
                         (re-matches #"[a-zA-Z]+" t) [:id t]
                         :else [:op t]))
(prn (map classify (tokenize "a+12")))
