(require '[clojure.string :as str])
(defn pp [v indent]
  (let [pad (apply str (repeat indent "  "))]
    (cond (map? v) (str "{\n" (str/join ",\n" (for [[k x] v] (str pad "  " (pr-str (name k)) ": " (pp x (inc indent))))) "\n" pad "}")
          (vector? v) (str "[" (str/join ", " (map #(pp % indent) v)) "]")
          (nil? v) "null"
          :else (pr-str v))))
(println (pp {:name "grove" :deps [1 2] :meta {:ok true :n nil}} 0))
